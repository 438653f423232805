import Foundation
import Logging
import TimeSeriesCore

extension Database {
    /// Rebuilds the head from the WAL checkpoint and the segments after it.
    static func replay(into state: inout State, options: DatabaseOptions, logger: Logger) throws {
        let started = ContinuousClock.now
        var samples = 0
        var unknownRefs = 0
        var tooOld = 0
        /// A series logged again under a new reference (removed from the head, then seen again
        /// before a checkpoint was written) maps onto the reference replay already gave it.
        var alias: [SeriesRef: SeriesRef] = [:]
        let minValid = state.minValidTime
        var index = state.index
        var headMin = Timestamp.max
        var headMax = Timestamp.min
        let chunks = state.chunks
        let report = try state.wal.replay(logger: logger) { record in
            switch record {
            case .series(let entries):
                for (ref, labels) in entries {
                    let key = WriteBatch(labels: labels)
                    if let existing = index.ref(in: key, 0) {
                        if existing != ref { alias[ref] = existing }
                        index.reserve(upTo: ref)
                    } else if ref >= index.nextRef {
                        _ = index.add(labels, key: key, 0, at: ref)
                    } else {
                        alias[ref] = index.add(labels, key: key, 0)
                    }
                }
            case .samples(let entries):
                for (logged, t, v) in entries {
                    let ref = alias[logged] ?? logged
                    guard t >= minValid else { tooOld += 1; continue }
                    let outcome = index.modify(ref) {
                        options.agent ? $0.note(t, v) : $0.append(t, v, allowOutOfOrder: true, blockRange: options.blockRange, store: chunks)
                    }
                    switch outcome {
                    case nil:
                        unknownRefs += 1
                        // Its series record was lost to damage: the reference must never name
                        // another series, or a later replay would give it these samples.
                        index.reserve(upTo: ref)
                    case .appended, .appendedOutOfOrder:
                        samples += 1
                        headMin = min(headMin, t)
                        headMax = max(headMax, t)
                    default: break
                    }
                }
            case .chunks(let logged, let encoded):
                let ref = alias[logged] ?? logged
                for chunk in encoded where chunk.maxTime >= minValid {
                    let restored: Void? = index.modify(ref) { $0.restoreSealed(XORChunk(restoring: chunk), store: chunks) }
                    if restored == nil {
                        unknownRefs += chunk.count
                        index.reserve(upTo: ref)
                        continue
                    }
                    samples += chunk.count
                    headMin = min(headMin, chunk.minTime)
                    headMax = max(headMax, chunk.maxTime)
                }
            }
        }
        if unknownRefs > 0 {
            logger.warning("WAL samples named unknown series and were skipped", metadata: ["samples": "\(unknownRefs)"])
        }
        if tooOld > 0 {
            logger.info("WAL samples already persisted in blocks were skipped", metadata: ["samples": "\(tooOld)"])
        }
        // Agent mode's series hold no samples by design; they stay until idle.
        let removed = options.agent ? 0 : index.removeEmpty()
        state.index = index
        state.headMinTime = headMin
        state.headMaxTime = headMax
        state.samplesAppended = samples
        logger.info("WAL replayed", metadata: [
            "checkpoint": "\(report.checkpoint.map(String.init) ?? "none")",
            "segments": "\(report.segments)", "records": "\(report.records)", "series": "\(index.count)",
            "emptySeriesRemoved": "\(removed)", "samples": "\(samples)", "duration": "\(ContinuousClock.now - started)",
        ])
    }
}
