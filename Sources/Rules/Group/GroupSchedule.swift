import TimeSeriesCore

/// When a group evaluates: every `interval`, at an offset within the interval that is the same for
/// the group on every start and differs between groups, so groups spread out instead of all
/// querying at once. The offset is Prometheus' own (the hash of the label set
/// `{file=FILE, name=NAME}` modulo the interval in nanoseconds), so a group loaded from the same
/// file evaluates at the same instants in Surge and in Prometheus.
public struct GroupSchedule: Sendable, Equatable {
    public let interval: Int64
    public let offset: Int64

    public init(name: String, file: String, interval: Int64) {
        precondition(interval > 0, "a group's interval is positive")
        self.interval = interval
        // Labels sorted by name ("file" before "name"), each name and value followed by 0xff.
        let bytes = Array("file".utf8) + [0xff] + Array(file.utf8) + [0xff] + Array("name".utf8) + [0xff] + Array(name.utf8) + [0xff]
        let (nanoseconds, overflow) = interval.multipliedReportingOverflow(by: 1_000_000)
        offset = overflow ? Int64(xxHash64(bytes) % UInt64(interval)) : Int64(xxHash64(bytes) % UInt64(nanoseconds)) / 1_000_000
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
