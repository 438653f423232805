import Foundation
import Logging
import Synchronization
import TimeSeriesCore

/// The time-series database: a head of compressed series behind one lock, logged to a WAL.
///
/// An append resolves series, writes one WAL batch and then updates the head, all under the lock,
/// so the WAL order is the head order and a series record always precedes its samples.
public final class Database: SeriesAppender, SeriesQuerier {
    private struct State: ~Copyable {
        var index = HeadIndex()
        var wal: WriteAheadLog
        /// Series added to the head whose record has not reached the WAL (its write failed); they are
        /// logged with the next successful write so their samples are never orphaned on replay.
        var unloggedSeries: [SeriesRef] = []
        var samplesAppended = 0
        var minTime: Timestamp = .max
        var maxTime: Timestamp = .min
        var closed = false
    }

    private let state: Mutex<State>
    private let logger: Logger
    public let directory: URL

    /// Opens (or creates) the database in `directory` and replays its WAL.
    public init(directory: URL, options: DatabaseOptions = .init(), logger: Logger) throws {
        self.directory = directory
        self.logger = logger
        let wal = try WriteAheadLog(
            directory: directory.appendingPathComponent("wal"),
            segmentSize: options.walSegmentSize,
            syncPolicy: options.walSync)
        var index = HeadIndex()
        var samples = 0
        var minTime = Timestamp.max
        var maxTime = Timestamp.min
        var unknownRefs = 0
        let started = ContinuousClock.now
        let report = try wal.replay(logger: logger) { record in
            switch record {
            case .series(let entries):
                for (ref, labels) in entries {
                    if index.ref(for: labels) == nil && ref == SeriesRef(index.count) {
                        _ = index.add(labels)
                    }
                }
            case .samples(let entries):
                for (ref, t, v) in entries {
                    guard Int(ref) < index.count else { unknownRefs += 1; continue }
                    if index.append(ref, t, v) == .appended {
                        samples += 1
                        minTime = min(minTime, t)
                        maxTime = max(maxTime, t)
                    }
                }
            }
        }
        if unknownRefs > 0 {
            logger.warning("WAL samples named unknown series and were skipped", metadata: ["samples": "\(unknownRefs)"])
        }
        logger.info("WAL replayed", metadata: [
            "segments": "\(report.segments)", "records": "\(report.records)", "series": "\(index.count)",
            "samples": "\(samples)", "duration": "\(ContinuousClock.now - started)",
        ])
        state = Mutex(State(index: index, wal: wal, samplesAppended: samples, minTime: minTime, maxTime: maxTime))
    }

    public func append(_ batch: [SeriesSamples]) throws -> AppendResult {
        try state.withLock { state in
            guard !state.closed else { throw DatabaseClosedError() }
            var result = AppendResult()
            var newSeries: [(SeriesRef, Labels)] = []
            var accepted: [(SeriesRef, Timestamp, Double)] = []
            accepted.reserveCapacity(batch.reduce(0) { $0 + $1.samples.count })
            // Decide every sample against the head before logging, so the WAL holds only what the head takes.
            var pending: [SeriesRef: (last: Timestamp, bits: UInt64)] = [:]
            for entry in batch {
                let ref: SeriesRef
                if let existing = state.index.ref(for: entry.labels) {
                    ref = existing
                } else {
                    ref = state.index.add(entry.labels)
                    newSeries.append((ref, entry.labels))
                    result.seriesCreated += 1
                }
                let series = state.index[ref]
                var last = pending[ref] ?? (series.lastTimestamp, series.lastValueBits)
                for sample in entry.samples {
                    if sample.timestamp > last.last {
                        accepted.append((ref, sample.timestamp, sample.value))
                        last = (sample.timestamp, sample.value.bitPattern)
                    } else if sample.timestamp == last.last && sample.value.bitPattern == last.bits {
                        continue  // an identical resend is accepted silently
                    } else {
                        if sample.timestamp == last.last { result.duplicates += 1 } else { result.outOfOrder += 1 }
                        if result.firstRejection == nil {
                            let reason = sample.timestamp == last.last ? "duplicate sample for timestamp" : "out of order sample"
                            result.firstRejection = "\(reason): series \(entry.labels) at \(sample.timestamp), newest is \(last.last)"
                        }
                    }
                }
                pending[ref] = last
            }
            var toLog: [(SeriesRef, Labels)] = []
            for ref in state.unloggedSeries { toLog.append((ref, state.index[ref].labels)) }
            toLog += newSeries
            var bytes: [UInt8] = []
            if !toLog.isEmpty { WALRecord.series(toLog).encode(into: &bytes) }
            if !accepted.isEmpty { WALRecord.samples(accepted).encode(into: &bytes) }
            if !bytes.isEmpty {
                do {
                    try state.wal.write(bytes)
                } catch {
                    state.unloggedSeries = toLog.map(\.0)
                    throw error
                }
            }
            state.unloggedSeries = []
            for (ref, t, v) in accepted {
                _ = state.index.append(ref, t, v)
                state.minTime = min(state.minTime, t)
                state.maxTime = max(state.maxTime, t)
            }
            result.samplesAppended = accepted.count
            state.samplesAppended += accepted.count
            return result
        }
    }

    public func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Series] {
        state.withLock { state in
            state.index.select(matchers).compactMap { ref in
                let series = state.index[ref]
                guard series.overlaps(mint: mint, maxt: maxt) else { return nil }
                let samples = series.samples(mint: mint, maxt: maxt)
                return samples.isEmpty ? nil : Series(labels: series.labels, samples: samples)
            }
        }.sorted { $0.labels < $1.labels }
    }

    public func series(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Labels] {
        state.withLock { state in
            state.index.select(matchers).compactMap { ref in
                let series = state.index[ref]
                return series.overlaps(mint: mint, maxt: maxt) ? series.labels : nil
            }
        }.sorted()
    }

    public func labelNames(matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String] {
        var names = Set<String>()
        for labels in labelSets(matching: matching, mint: mint, maxt: maxt) {
            for pair in labels.pairs { names.insert(pair.name) }
        }
        return names.sorted()
    }

    public func labelValues(_ name: String, matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String] {
        var values = Set<String>()
        for labels in labelSets(matching: matching, mint: mint, maxt: maxt) {
            if let value = labels[name] { values.insert(value) }
        }
        return values.sorted()
    }

    private func labelSets(matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [Labels] {
        if matching.isEmpty { return series([], mint: mint, maxt: maxt) }
        var seen = Set<Labels>()
        for matchers in matching {
            seen.formUnion(series(matchers, mint: mint, maxt: maxt))
        }
        return Array(seen)
    }

    public var stats: DatabaseStats {
        state.withLock { state in
            var stats = DatabaseStats()
            stats.series = state.index.count
            stats.samplesAppended = state.samplesAppended
            stats.walBytes = state.wal.totalSize
            stats.chunkBytes = state.index.series.reduce(0) { $0 + $1.chunkBytes }
            stats.minTime = state.minTime == .max ? nil : state.minTime
            stats.maxTime = state.maxTime == .min ? nil : state.maxTime
            return stats
        }
    }

    /// Flushes and closes the WAL; later appends fail.
    public func close() {
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            state.wal.close()
        }
        logger.info("database closed")
    }
}

public struct DatabaseClosedError: Error, CustomStringConvertible, Sendable {
    public var description: String { "the database is closed" }
}
