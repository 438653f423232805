import Foundation
import Logging
import Synchronization
import TimeSeriesCore

/// What one maintenance pass did.
public struct MaintenanceReport: Sendable, Equatable {
    public var blocksWritten: [String] = []
    public var blocksMerged: [String] = []
    public var blocksDeleted: [String] = []
    public var seriesRemoved = 0
}

extension Database {
    /// Cuts the head into blocks while it spans more than one and a half block ranges, merges
    /// blocks, and applies retention. Safe to call at any time; one pass runs at a time.
    @discardableResult
    public func maintain() throws -> MaintenanceReport {
        try maintenance.withLock { _ in
            var report = MaintenanceReport()
            while let window = headWindow(persistAll: false) {
                try countingFailures { try persistHead(window, report: &report) }
            }
            try countingFailures { try compactBlocks(report: &report) }
            try applyRetention(report: &report)
            return report
        }
    }

    /// Writes everything in the head into one block, as a backup or a size measurement wants
    /// (Prometheus' snapshot does the same): it starts at the head's first block-aligned boundary
    /// and ends just after the newest sample, so one index covers it all. Senders that lag keep
    /// being accepted within `ingestionLag`; what they send later overlaps the block and is merged
    /// into it by compaction.
    @discardableResult
    public func persistAll() throws -> MaintenanceReport {
        try maintenance.withLock { _ in
            var report = MaintenanceReport()
            // One pass: what arrives while the block is written stays in the head for the next.
            if let window = headWindow(persistAll: true) {
                try countingFailures { try persistHead(window, report: &report) }
            }
            return report
        }
    }

    /// Runs a pass that writes blocks; a failed write is counted (a full disk is noticed), and
    /// what the head holds stays there until a later pass succeeds.
    private func countingFailures(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error where error is StorageIOError || error is WALError {
            diskWrites.failed(.blocks, error)
            throw error
        }
        diskWrites.succeeded(.blocks)
    }

    /// The next window of the head to persist, if any: block-aligned, or all of the head.
    private func headWindow(persistAll: Bool) -> (Timestamp, Timestamp)? {
        state.withLock { state in
            guard !state.closed, state.headMinTime != .max else { return nil }
            let range = options.blockRange
            // Samples older than the newest block are refused, so this never overlaps a block.
            let start = CompactionPlanner.floorDiv(state.headMinTime, range) * range
            // Sample times may reach either end of Int64: the window's arithmetic saturates.
            if persistAll { return (start, state.headMaxTime == .max ? .max : state.headMaxTime + 1) }
            let (span, overflow) = state.headMaxTime.subtractingReportingOverflow(state.headMinTime)
            if overflow || span > range / 2 * 3 {
                let (end, past) = start.addingReportingOverflow(range)
                return (start, past ? .max : end)
            }
            return nil
        }
    }

    private func persistHead(_ window: (Timestamp, Timestamp), report: inout MaintenanceReport) throws {
        let (start, end) = window
        /// What the snapshot saw of each series, so truncation drops only what the block holds.
        typealias Seen = (ref: SeriesRef, upTo: Timestamp, outOfOrder: Set<Timestamp>)
        let (snapshots, seen): ([SeriesSnapshot], [Seen]) = state.withLock { state in
            // From here on, appends before the bound are refused instead of landing in the head
            // while the block is written; after a flush the bound trails the newest sample by
            // the ingestion lag, and what arrives in between is kept for the next block.
            state.minValidTime = max(state.minValidTime, options.minValidTime(persistedEnd: end, newest: state.headMaxTime))
            var out: [SeriesSnapshot] = []
            var seen: [Seen] = []
            for (index, entry) in state.index.series.enumerated() {
                guard let series = entry, series.overlaps(mint: start, maxt: end - 1) else { continue }
                out.append(series.snapshot(store: state.chunks))
                seen.append((SeriesRef(index), series.maxTime, Set(series.outOfOrder.lazy.map(\.timestamp).filter { $0 < end })))
            }
            return (out.sorted { $0.labels < $1.labels }, seen)
        }
        let meta = try BlockWriter.write(
            into: directory, minTime: start, maxTime: end, level: 1, sources: [],
            labels: snapshots.map(\.labels)
        ) { i in snapshots[i].encodedChunks(mint: start, maxt: end - 1) }
        let block = try meta.map { try Block(directory: directory.appendingPathComponent($0.ulid), damage: chunkDamage) }
        if let meta {
            report.blocksWritten.append(meta.ulid)
            logger.info("head persisted as a block", metadata: [
                "block": "\(meta.ulid)", "minTime": "\(start)", "maxTime": "\(end)",
                "series": "\(meta.stats.numSeries)", "samples": "\(meta.stats.numSamples)",
            ])
        }
        let (checkpoint, closedSegment) = try state.withLock { state in
            if let block { state.blocks.append(block) }
            for entry in seen {
                _ = state.index.modify(entry.ref) { $0.truncate(before: end, seenUpTo: entry.upTo, seenOutOfOrder: entry.outOfOrder) }
            }
            report.seriesRemoved += state.index.removeEmpty()
            var headMin = Timestamp.max
            var oldestKeptChunk = end
            state.index.forEachSeries { series in
                headMin = min(headMin, series.minTime)
                if let kept = series.oldestSealedMaxTime { oldestKeptChunk = min(oldestKeptChunk, kept) }
            }
            state.headMinTime = headMin
            if headMin == .max { state.headMaxTime = .min }
            // Head chunk files holding a chunk the head kept stay.
            state.chunks.truncate(before: oldestKeptChunk)
            let closed = try state.wal.cutSegment()
            return (Self.checkpointRecords(&state), closed)
        }
        let size = try WriteAheadLog.writeCheckpointFile(checkpoint, number: closedSegment, directory: directory.appendingPathComponent("wal"))
        try state.withLock { state in try state.wal.checkpointWritten(closedSegment, size: size) }
    }

    /// The head as WAL records: every live series, its sealed chunks, and its in-memory samples.
    static func checkpointRecords(_ state: inout State) -> [UInt8] {
        var out: [UInt8] = []
        var series: [(SeriesRef, Labels)] = []
        for (index, entry) in state.index.series.enumerated() {
            if let entry { series.append((SeriesRef(index), entry.labels)) }
        }
        for batch in stride(from: 0, to: series.count, by: 10_000) {
            WALRecord.series(Array(series[batch..<min(batch + 10_000, series.count)])).encode(into: &out)
        }
        var samples: [(SeriesRef, Timestamp, Double)] = []
        for (ref, _) in series {
            let snapshot = state.index[ref]!.snapshot(store: state.chunks)
            let sealed = snapshot.sealedEncoded()
            if !sealed.isEmpty { WALRecord.chunks(ref, sealed).encode(into: &out) }
            for sample in snapshot.memorySamples() { samples.append((ref, sample.timestamp, sample.value)) }
            if samples.count >= 50_000 {
                WALRecord.samples(samples).encode(into: &out)
                samples.removeAll(keepingCapacity: true)
            }
        }
        if !samples.isEmpty { WALRecord.samples(samples).encode(into: &out) }
        return out
    }

    private func compactBlocks(report: inout MaintenanceReport) throws {
        let ranges = CompactionPlanner.ranges(blockRange: options.blockRange, retention: options.retentionTime)
        while true {
            let blocks = state.withLock { $0.blocks }
            guard let plan = CompactionPlanner.plan(blocks.map(\.meta), ranges: ranges) else { return }
            let inputs = plan.map { blocks[$0] }.sorted { $0.meta.minTime < $1.meta.minTime }
            guard let meta = try BlockMerge.merge(inputs, into: directory) else { return }
            let merged = try Block(directory: directory.appendingPathComponent(meta.ulid), damage: chunkDamage)
            let ids = Set(inputs.map(\.meta.ulid))
            state.withLock { state in
                state.blocks.removeAll { ids.contains($0.meta.ulid) }
                state.blocks.append(merged)
                state.blocks.sort { $0.meta.minTime < $1.meta.minTime }
            }
            for block in inputs { try? FileManager.default.removeItem(at: block.directory) }
            report.blocksMerged.append(meta.ulid)
            logger.info("blocks merged", metadata: [
                "block": "\(meta.ulid)", "sources": "\(inputs.count)", "level": "\(meta.compaction.level)",
                "minTime": "\(meta.minTime)", "maxTime": "\(meta.maxTime)",
            ])
        }
    }

    private func applyRetention(report: inout MaintenanceReport) throws {
        let doomed: [Block] = state.withLock { state in
            // Counted from the newest sample, but never from beyond the clock: a sample from ahead
            // cannot make retention delete what the wall clock still keeps.
            let newest = min(max(state.headMaxTime, state.blocks.map(\.lastTime).max() ?? .min), clock.now)
            let other = state.wal.totalSize + state.chunks.totalBytes
            let expired = RetentionPolicy.expired(
                state.blocks.map { ($0.meta, $0.sizeBytes) }, time: options.retentionTime,
                bytes: options.retentionBytes, newestTime: newest, otherBytes: other)
            let doomed = state.blocks.filter { expired.contains($0.meta.ulid) }
            state.blocks.removeAll { expired.contains($0.meta.ulid) }
            return doomed
        }
        for block in doomed {
            try? FileManager.default.removeItem(at: block.directory)
            report.blocksDeleted.append(block.meta.ulid)
            logger.info("block deleted by retention", metadata: [
                "block": "\(block.meta.ulid)", "minTime": "\(block.meta.minTime)", "maxTime": "\(block.meta.maxTime)",
            ])
        }
    }

    /// Checks every block's chunk file end to end and logs each damaged or truncated one; returns
    /// the problems by block. Reads every block once, outside the lock (blocks never change).
    @discardableResult
    public func verifyBlocks() -> [(block: String, problem: String)] {
        let blocks = state.withLock { $0.blocks }
        var problems: [(block: String, problem: String)] = []
        for block in blocks {
            guard let problem = block.verifyChunks() else { continue }
            problems.append((block.meta.ulid, problem))
            logger.error("block damaged; the samples of its damaged chunks will be left out of answers",
                         metadata: ["block": "\(block.meta.ulid)", "problem": "\(problem)"])
        }
        return problems
    }
}
