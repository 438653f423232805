import TimeSeriesCore

/// When one rule group evaluates, worked out without I/O: at every evaluation time of its
/// schedule; a round that ends after the next one was due skips the rounds it missed (counted,
/// as Prometheus counts `rule_group_iterations_missed`) and evaluates at the latest due time.
public struct RuleGroupLoop: Sendable, Equatable {
    public enum Event: Sendable, Equatable {
        case start
        /// A round finished.
        case evaluated
        /// The time the loop slept until came.
        case wake
    }

    public enum Action: Sendable, Equatable {
        /// Evaluate the group with this evaluation timestamp.
        case evaluate(at: Timestamp)
        case sleep(until: Timestamp)
    }

    public let schedule: GroupSchedule
    /// The evaluation time of the last round started.
    public private(set) var lastEvaluation: Timestamp?
    /// Rounds skipped because the one before ended too late.
    public private(set) var missed = 0

    public init(schedule: GroupSchedule) {
        self.schedule = schedule
    }

    public mutating func next(_ event: Event, now: Timestamp) -> Action {
        switch event {
        case .start:
            // The first round waits for the group's slot, so groups stay spread out from the start.
            return .sleep(until: schedule.nextEvaluation(after: now))
        case .evaluated, .wake:
            let due = schedule.evaluationTime(atOrBefore: now)
            guard let last = lastEvaluation else { return begin(due) }
            if due <= last { return .sleep(until: last + schedule.interval) }
            missed += Int((due - last) / schedule.interval) - 1
            return begin(due)
        }
    }

    private mutating func begin(_ time: Timestamp) -> Action {
        lastEvaluation = time
        return .evaluate(at: time)
    }
}
