import TimeSeriesCore

/// A group's rules and what they carry between rounds: each alerting rule's alerts and the series
/// each recording rule wrote last, so vanished ones get staleness markers.
public struct GroupEvaluation: Sendable {
    public let group: RuleGroup
    /// Query offset and interval when the group sets none.
    public let defaults: Defaults
    public private(set) var alertStates: [Int: AlertingRuleState] = [:]
    private var written: [Int: Set<Labels>] = [:]
    /// Series that rules gone in a reload wrote last: marked stale in the next round, as
    /// Prometheus marks them.
    private var orphaned: Set<Labels> = []
    /// The outcome of each rule's last evaluation, by position.
    public private(set) var health: [Int: RuleHealth] = [:]
    /// Set for groups loaded at start: after the first round, alerts get their pending time back
    /// from `ALERTS_FOR_STATE`, and until then no alert series are written (as in Prometheus).
    public var restoreForState: RestoreOptions?

    /// `rules.for_outage_tolerance` and `rules.for_grace_period`, with Prometheus' defaults.
    public struct RestoreOptions: Sendable, Equatable {
        public var outageTolerance: Int64
        public var gracePeriod: Int64

        public init(outageTolerance: Int64 = 3_600_000, gracePeriod: Int64 = 600_000) {
            self.outageTolerance = outageTolerance
            self.gracePeriod = gracePeriod
        }
    }

    public struct Defaults: Sendable, Equatable {
        /// Equal when the settings are; the template query, a function, is not compared.
        public static func == (a: Defaults, b: Defaults) -> Bool {
            a.interval == b.interval && a.queryOffset == b.queryOffset && a.resendDelay == b.resendDelay
                && a.externalLabels == b.externalLabels && a.externalURL == b.externalURL
        }

        public var interval: Int64
        public var queryOffset: Int64
        public var resendDelay: Int64
        /// What templates see as `$externalLabels` and `$externalURL`.
        public var externalLabels: [String: String]
        public var externalURL: String
        /// What templates' `query` runs (an instant query, synchronously); nil leaves `query` failing.
        public var templateQuery: (@Sendable (String, Timestamp) throws -> QueryValue)?

        public init(interval: Int64 = 60_000, queryOffset: Int64 = 0, resendDelay: Int64 = 60_000,
                    externalLabels: [String: String] = [:], externalURL: String = "",
                    templateQuery: (@Sendable (String, Timestamp) throws -> QueryValue)? = nil) {
            self.templateQuery = templateQuery
            self.interval = interval
            self.queryOffset = queryOffset
            self.resendDelay = resendDelay
            self.externalLabels = externalLabels
            self.externalURL = externalURL
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
        var kept: Set<Int> = []
        for (index, rule) in group.rules.enumerated() {
            guard let old = earlier.group.rules.indices.first(where: { earlier.group.rules[$0] == rule && !kept.contains($0) }) else { continue }
            kept.insert(old)
            if let state = earlier.alertStates[old] { alertStates[index] = state }
            written[index] = earlier.written[old]
            health[index] = earlier.health[old]
        }
        orphaned = earlier.orphaned
        for (old, series) in earlier.written where !kept.contains(old) { orphaned.formUnion(series) }
    }

    /// Staleness markers at `time` for everything the group's rules wrote last: for a group a
    /// reload removed.
    public func retired(at time: Timestamp) -> [VectorElement] {
        staleMarkers(previous: written.values.reduce(orphaned) { $0.union($1) }, current: [], at: time)
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
    /// `expand` fills label and annotation templates; by default Prometheus' templates with the
    /// external labels and URL of `defaults`.
    /// `write` stores each rule's output before the next rule runs, so a rule reads what the rules
    /// before it in the group wrote in the same round, as in Prometheus; the round's samples are
    /// returned as well.
    public mutating func evaluate(at time: Timestamp, query: (String, Timestamp) async throws -> QueryValue,
                                  expand: ((String, Labels, Double) -> String)? = nil,
                                  write: ([VectorElement]) -> Void = { _ in }) async -> Round {
        let defaults = self.defaults
        let expand = expand ?? { template, labels, value in
            Template.expandForAlert(template, Template.Data(
                labels: labels.dictionary, value: value, externalLabels: defaults.externalLabels, externalURL: defaults.externalURL,
                query: defaults.templateQuery.map { query in { @Sendable expression in try query(expression, time) } }))
        }
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
                        let samples = staleMarkers(previous: written[index] ?? [], current: output, at: time) + output
                        write(samples)
                        round.samples += samples
                        written[index] = Set(output.map(\.labels))
                    case .failure(let error):
                        failure = error.description
                    }
                case .alerting:
                    var state = alertStates[index]!
                    let evaluated = state.evaluate(result.map { VectorElement(labels: $0.labels, timestamp: time, value: $0.value) }, at: time,
                                                   groupLabels: group.labels, limit: group.limit, expand: expand)
                    failure = evaluated.error
                    if restoreForState == nil && evaluated.error == nil {
                        // `ALERTS{alertstate="pending"}` ends when the alert fires, and every
                        // alert series ends when the alert does.
                        let samples = staleMarkers(previous: written[index] ?? [], current: evaluated.samples, at: time) + evaluated.samples
                        write(samples)
                        round.samples += samples
                        written[index] = Set(evaluated.samples.map(\.labels))
                    }
                    round.alerts += state.alertsToSend(at: time, interval: interval, resendDelay: defaults.resendDelay)
                    alertStates[index] = state
                }
            } catch {
                failure = "\(error)"
            }
            health[index] = RuleHealth(lastEvaluation: time, duration: ContinuousClock.now - started, error: failure)
        }
        if !orphaned.isEmpty {
            let current = Set(round.samples.map(\.labels))
            let markers = staleMarkers(previous: orphaned.subtracting(current), current: [], at: time)
            write(markers)
            round.samples += markers
            orphaned = []
        }
        if let options = restoreForState {
            await restore(at: time, options: options, query: query)
            restoreForState = nil
        }
        return round
    }

    /// Reads each alerting rule's `ALERTS_FOR_STATE` within the outage tolerance and restores its
    /// alerts' active times; a rule whose read fails starts its alerts afresh.
    private mutating func restore(at time: Timestamp, options: RestoreOptions, query: (String, Timestamp) async throws -> QueryValue) async {
        for (index, var state) in alertStates.sorted(by: { $0.key < $1.key }) where state.active.values.contains(where: { $0.state != .inactive }) {
            let selector = "ALERTS_FOR_STATE{alertname=\(quoted(state.rule.alert))}[\(options.outageTolerance)ms]"
            guard case .matrix(let series)? = try? await query(selector, time) else { continue }
            var saved: [Labels: (activeAt: Timestamp, savedAt: Timestamp)] = [:]
            for one in series {
                guard let last = one.samples.last, last.value.isFinite, abs(last.value) < 9e12 else { continue }
                var labels = one.labels.dictionary
                labels[metricNameLabel] = nil
                // Both are whole seconds, as Prometheus compares them.
                saved[Labels(labels)] = (Timestamp(last.value) * 1000, last.timestamp / 1000 * 1000)
            }
            state.restoreActiveTimes(at: time, gracePeriod: options.gracePeriod, saved: saved)
            alertStates[index] = state
        }
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
