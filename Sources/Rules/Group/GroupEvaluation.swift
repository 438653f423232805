import TimeSeriesCore

/// A group's rules and what they carry between rounds: each alerting rule's alerts and the series
/// each recording rule wrote last, so vanished ones get staleness markers.
public struct GroupEvaluation: Sendable {
    public let group: RuleGroup
    /// Query offset and interval when the group sets none.
    public let defaults: Defaults
    public private(set) var alertStates: [Int: AlertingRuleState] = [:]
    private var written: [Int: Set<Labels>] = [:]
    /// The outcome of each rule's last evaluation, by position.
    public private(set) var health: [Int: RuleHealth] = [:]

    public struct Defaults: Sendable, Equatable {
        public var interval: Int64
        public var queryOffset: Int64
        public var resendDelay: Int64

        public init(interval: Int64 = 60_000, queryOffset: Int64 = 0, resendDelay: Int64 = 60_000) {
            self.interval = interval
            self.queryOffset = queryOffset
            self.resendDelay = resendDelay
        }
    }

    public init(group: RuleGroup, defaults: Defaults = Defaults()) {
        self.group = group
        self.defaults = defaults
        for (index, rule) in group.rules.enumerated() {
            if case .alerting(let alerting) = rule { alertStates[index] = AlertingRuleState(rule: alerting) }
        }
    }

    public var interval: Int64 { group.interval ?? defaults.interval }

    /// Carries the state of rules that did not change from an earlier evaluation of the group, as
    /// a reload does: an unchanged alerting rule keeps its alerts, an unchanged recording rule
    /// the series it wrote.
    public mutating func adopt(_ earlier: GroupEvaluation) {
        for (index, rule) in group.rules.enumerated() {
            guard let old = earlier.group.rules.firstIndex(of: rule) else { continue }
            if let state = earlier.alertStates[old] { alertStates[index] = state }
            written[index] = earlier.written[old]
            health[index] = earlier.health[old]
        }
    }

    /// What a round produced.
    public struct Round: Sendable {
        /// Recording rules' output, staleness markers, `ALERTS` and `ALERTS_FOR_STATE`, at the round's time.
        public var samples: [VectorElement] = []
        /// Alerts the notifier should get now.
        public var alerts: [Alert] = []
    }

    /// Evaluates every rule in order at `time`; queries run at `time` less the query offset. A
    /// rule that fails keeps its error in `health` and the others still run.
    public mutating func evaluate(at time: Timestamp, query: (String, Timestamp) async throws -> QueryValue,
                                  expand: (String, Labels, Double) -> String = { template, _, _ in template }) async -> Round {
        var round = Round()
        let queryTime = time - (group.queryOffset ?? defaults.queryOffset)
        for (index, rule) in group.rules.enumerated() {
            let started = ContinuousClock.now
            var failure: String?
            do {
                let result = try Self.vector(try await query(rule.expr, queryTime), at: queryTime)
                switch rule {
                case .recording(let recording):
                    switch recording.output(of: result, at: time, groupLabels: group.labels, limit: group.limit) {
                    case .success(let output):
                        round.samples += staleMarkers(previous: written[index] ?? [], current: output, at: time)
                        round.samples += output
                        written[index] = Set(output.map(\.labels))
                    case .failure(let error):
                        failure = error.description
                    }
                case .alerting:
                    var state = alertStates[index]!
                    let evaluated = state.evaluate(result.map { VectorElement(labels: $0.labels, timestamp: time, value: $0.value) }, at: time,
                                                   groupLabels: group.labels, limit: group.limit, expand: expand)
                    failure = evaluated.error
                    round.samples += evaluated.samples
                    round.alerts += state.alertsToSend(at: time, interval: interval, resendDelay: defaults.resendDelay)
                    alertStates[index] = state
                }
            } catch {
                failure = "\(error)"
            }
            health[index] = RuleHealth(lastEvaluation: time, duration: ContinuousClock.now - started, error: failure)
        }
        return round
    }

    /// A query's value as the vector rules work on: a scalar is one sample without labels, as in
    /// Prometheus; NaN and infinities are kept (a recording rule records them).
    static func vector(_ value: QueryValue, at time: Timestamp) throws -> Vector {
        switch value {
        case .vector(let elements): return elements
        case .scalar(_, let value): return [VectorElement(labels: .empty, timestamp: time, value: value)]
        default: throw RuleEvaluationError("rule result is not a vector or scalar")
        }
    }
}

/// How a rule's last evaluation went.
public struct RuleHealth: Sendable, Equatable {
    public var lastEvaluation: Timestamp
    public var duration: Duration
    /// nil when it succeeded.
    public var error: String?

    public init(lastEvaluation: Timestamp, duration: Duration, error: String?) {
        self.lastEvaluation = lastEvaluation
        self.duration = duration
        self.error = error
    }
}
