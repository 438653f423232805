import TimeSeriesCore

/// When a group evaluates: every `interval`, at an offset within the interval that is the same for
/// the group on every start and differs between groups, so groups spread out instead of all
/// querying at once (Prometheus does the same with a hash of the group's name and file).
public struct GroupSchedule: Sendable, Equatable {
    public let interval: Int64
    public let offset: Int64

    public init(name: String, file: String, interval: Int64) {
        precondition(interval > 0, "a group's interval is positive")
        self.interval = interval
        // FNV-1a over name and file, separated by a byte neither contains.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array(name.utf8) + [0xff] + Array(file.utf8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        offset = Int64(hash % UInt64(interval))
    }

    /// The last evaluation time at or before `time`.
    public func evaluationTime(atOrBefore time: Timestamp) -> Timestamp {
        let shifted = time - offset
        let remainder = shifted % interval
        return shifted - (remainder < 0 ? remainder + interval : remainder) + offset
    }

    /// The first evaluation time after `time`.
    public func nextEvaluation(after time: Timestamp) -> Timestamp {
        evaluationTime(atOrBefore: time) + interval
    }
}
