import Synchronization
import TimeSeriesCore

extension Database {
    public func append(_ batch: WriteBatch) throws -> AppendResult {
        try state.withLock { state in
            guard !state.closed else { throw DatabaseClosedError() }
            var result = AppendResult()
            var newSeries: [(SeriesRef, Labels)] = []
            var accepted: [(SeriesRef, Timestamp, Double)] = []
            accepted.reserveCapacity(batch.sampleCount)
            let window = options.outOfOrderWindow
            let limits = options.limits
            let now = clock.now
            let latestValid = options.futureWindow.map { now.addingReportingOverflow($0) }.map { $0.overflow ? .max : $0.partialValue } ?? .max
            // Decide every sample against the head before logging, so the WAL holds only what the head takes.
            state.appendStamp &+= 1
            if state.appendStamp == 0 { state.appendStamp = 1 }
            let stamp = state.appendStamp
            var newestAccepted = state.headMaxTime
            var touched: UInt64 = 0
            // Each lookup misses the cache; a pass that only reads lets those misses overlap
            // instead of waiting for each in turn.
            state.cacheTouch = state.index.touchKeys(of: batch)
            for entry in 0..<batch.seriesCount {
                let sampleRange = batch.sampleRange(entry)
                guard !sampleRange.isEmpty else { continue }
                let ref: SeriesRef
                if let existing = state.index.ref(in: batch, entry) {
                    ref = existing
                } else {
                    let labels = batch.labels(of: entry)
                    if let (reason, message) = limits.violation(labels) {
                        result.reject(reason, count: sampleRange.count, message)
                        continue
                    }
                    guard state.index.count < limits.maxSeries else {
                        result.reject(.seriesLimit, count: sampleRange.count,
                                      "series limit reached: the head holds \(state.index.count) series, max_series is \(limits.maxSeries); new series \(labels) refused")
                        continue
                    }
                    ref = state.index.add(labels, key: batch, entry)
                    state.watchNewSeries(ref, labels: labels)
                    newSeries.append((ref, labels))
                    result.seriesCreated += 1
                }
                let acceptedBefore = accepted.count
                var last = state.index.pendingLast(ref, stamp: stamp)
                for sample in batch.samples[sampleRange] {
                    let t = sample.timestamp
                    if t > latestValid {
                        result.reject(.tooFarInFuture, "sample too far in the future: series \(batch.labels(of: entry)) at \(t) is more than "
                                      + "future_window (\(options.futureWindow ?? 0)ms) ahead of the clock (\(now))")
                    } else if t < state.minValidTime {
                        result.reject(.tooOld, "sample too old: series \(batch.labels(of: entry)) at \(t) is older than the newest persisted block, which ends at \(state.minValidTime)")
                    } else if t > last.last {
                        accepted.append((ref, t, sample.value))
                        last = (t, sample.value.bitPattern)
                        newestAccepted = max(newestAccepted, t)
                    } else if t == last.last {
                        if sample.value.bitPattern != last.bits {
                            result.reject(.duplicate, "duplicate sample for timestamp: series \(batch.labels(of: entry)) at \(t) has another value")
                        }
                    } else if window > 0 && t >= newestAccepted - window {
                        accepted.append((ref, t, sample.value))
                    } else if window > 0 {
                        result.reject(.tooOld, "out of order sample outside the out-of-order window: series \(batch.labels(of: entry)) at \(t), newest sample is \(newestAccepted), window is \(window)ms")
                    } else {
                        result.reject(.outOfOrder, "out of order sample: series \(batch.labels(of: entry)) at \(t), newest is \(last.last)")
                    }
                }
                state.index.setPendingLast(ref, stamp: stamp, last)
                if accepted.count > acceptedBefore { touched |= state.index.watchMask(ref) }
            }
            var toLog: [(SeriesRef, Labels)] = []
            for ref in state.unloggedSeries {
                if let series = state.index[ref] { toLog.append((ref, series.labels)) }
            }
            toLog += newSeries
            var bytes: [UInt8] = []
            if !toLog.isEmpty { WALRecord.series(toLog).encode(into: &bytes) }
            if !accepted.isEmpty { WALRecord.samples(accepted).encode(into: &bytes) }
            if !bytes.isEmpty {
                do {
                    try state.wal.write(bytes)
                } catch {
                    state.unloggedSeries = toLog.map(\.0)
                    diskWrites.failed(.wal, error)
                    throw error
                }
                diskWrites.succeeded(.wal)
            }
            state.unloggedSeries = []
            let chunks = state.chunks
            let blockRange = options.blockRange
            let agent = options.agent
            var appended = 0
            state.cacheTouch &+= state.index.touchOpenChunks(accepted)
            for (ref, t, v) in accepted {
                let outcome = state.index.modify(ref) {
                    agent ? $0.note(t, v) : $0.append(t, v, allowOutOfOrder: true, blockRange: blockRange, store: chunks)
                }
                switch outcome {
                case .appended, .appendedOutOfOrder:
                    appended += 1
                    state.headMinTime = min(state.headMinTime, t)
                    state.headMaxTime = max(state.headMaxTime, t)
                case .conflict:
                    result.reject(.duplicate, "duplicate sample for timestamp: \(t) already holds another value")
                default:
                    break
                }
            }
            result.samplesAppended = appended
            state.samplesAppended += appended
            state.notifyWatches(touched)
            for (reason, count) in result.rejections { state.rejected[reason, default: 0] += count }
            return result
        }
    }
}
