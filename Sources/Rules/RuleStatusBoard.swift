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
        /// Rule evaluations and failed ones since start.
        public var ruleEvaluations = 0
        public var ruleFailures = 0
        public var iterations = 0
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
                var entry = entries[key] ?? Entry(evaluation: evaluation)
                entry.evaluation = evaluation
                next[key] = entry
            }
            entries = next
        }
    }

    func record(_ evaluation: GroupEvaluation, at time: Timestamp, duration: Duration, missed: Int) {
        entries.withLock { entries in
            let key = Self.key(evaluation.group)
            guard var entry = entries[key] else { return }
            entry.evaluation = evaluation
            entry.lastEvaluation = time
            entry.lastDuration = duration
            entry.missedIterations = missed
            entry.iterations += 1
            entry.ruleEvaluations += evaluation.group.rules.count
            entry.ruleFailures += evaluation.health.values.filter { $0.lastEvaluation == time && $0.error != nil }.count
            entries[key] = entry
        }
    }

    /// Every group, by file and then name.
    public var groups: [Entry] {
        entries.withLock { Array($0.values) }.sorted { ($0.evaluation.group.file, $0.evaluation.group.name) < ($1.evaluation.group.file, $1.evaluation.group.name) }
    }
}
