import Synchronization
import TimeSeriesCore

/// The rule groups as their last rounds left them, for the API and /metrics: shared between the
/// groups' loops, which replace their entry after every round, and readers.
public final class RuleStatusBoard: Sendable {
    public struct Entry: Sendable {
        public var evaluation: GroupEvaluation
        /// Evaluation time and duration of the group's last round.
        public var lastEvaluation: Timestamp?
        public var lastDuration: Duration?
        public var missedIterations = 0
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    static func key(_ group: RuleGroup) -> String { group.file + "\u{0}" + group.name }

    /// Sets the groups a (re)load produced, in file order; groups no longer loaded go.
    public func replace(with evaluations: [GroupEvaluation]) {
        entries.withLock { entries in
            var next: [String: Entry] = [:]
            for evaluation in evaluations {
                let key = Self.key(evaluation.group)
                next[key] = entries[key].map { Entry(evaluation: evaluation, lastEvaluation: $0.lastEvaluation, lastDuration: $0.lastDuration,
                                                     missedIterations: $0.missedIterations) }
                    ?? Entry(evaluation: evaluation)
            }
            entries = next
        }
    }

    func record(_ evaluation: GroupEvaluation, at time: Timestamp, duration: Duration, missed: Int) {
        entries.withLock { entries in
            let key = Self.key(evaluation.group)
            guard entries[key] != nil else { return }
            entries[key] = Entry(evaluation: evaluation, lastEvaluation: time, lastDuration: duration, missedIterations: missed)
        }
    }

    func evaluation(of group: RuleGroup) -> GroupEvaluation? {
        entries.withLock { $0[Self.key(group)]?.evaluation }
    }

    /// Every group, by file and then name.
    public var groups: [Entry] {
        entries.withLock { Array($0.values) }.sorted { ($0.evaluation.group.file, $0.evaluation.group.name) < ($1.evaluation.group.file, $1.evaluation.group.name) }
    }
}
