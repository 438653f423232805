import Foundation
import Prometheus
import Scaling
import Synchronization

/// The newest decision of each policy `surge serve` evaluates, for `/api/v1/scaling/decisions` and
/// the `surge_scaling_*` gauges and counters.
public final class ScalingDecisions: Sendable {
    struct Entry: Sendable {
        var policy: ScalingPolicy
        /// The decision and its explanation, nil until the first evaluation succeeds.
        var decision: DecisionReport.Report?
        var desiredReplicas: Int?
        var currentReplicas: Int?
        var evaluatedAt: Date?
        var trigger: DecisionTrigger?
        var lastError: String?
        /// Why the newest decision could not scale on its metrics (the HPA's ScalingActive=False).
        var inactive: String?
        var explanation: [String] = []
        var lastAction: ScaleActionRecord?
        var upcomingReplicas: Int?
        var podRequests: ResourceAmounts?
        var evaluations = 0
        var failures = 0
        var lastDurationSeconds: Double?
    }

    struct State: Sendable {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        /// Policies dropped by a reload whose gauges are still registered.
        var removed: [ScalingPolicy] = []
        /// Scale changes the API server accepted, and attempts that failed, by policy labels.
        var applied: [String: Int] = [:]
        var failedActions: [String: Int] = [:]
    }

    private let state = Mutex(State())

    public init(policies: [ScalingPolicy]) {
        replace(with: policies)
    }

    /// After a reload: a policy that did not change keeps its figures, a changed or new one starts
    /// afresh, and a dropped one leaves the API and, at the next scrape, `/metrics`.
    func replace(with policies: [ScalingPolicy]) {
        state.withLock { state in
            var entries: [String: Entry] = [:]
            for policy in policies {
                let key = Self.key(policy)
                if let old = state.entries[key], old.policy == policy { entries[key] = old } else { entries[key] = Entry(policy: policy) }
            }
            let kept = Set(policies.map(Self.labelKey))
            state.removed += state.entries.values.map(\.policy).filter { !kept.contains(Self.labelKey($0)) }
            state.entries = entries
            state.order = policies.map(Self.key)
        }
    }

    static func key(_ policy: ScalingPolicy) -> String {
        "\(policy.target.namespace)/\(policy.name)"
    }

    func record(_ decision: PolicyDecision, of policy: ScalingPolicy, at now: Date, trigger: DecisionTrigger, seconds: Double,
                upcoming: Int? = nil, podRequests: ResourceAmounts? = nil) {
        let report = DecisionReport.report(decision, policy: policy, now: now)
        state.withLock { state in
            guard var entry = state.entries[Self.key(policy)], entry.policy == policy else { return }
            entry.decision = report
            entry.desiredReplicas = decision.desiredReplicas
            entry.currentReplicas = decision.reactive.currentReplicas
            entry.evaluatedAt = now
            entry.trigger = trigger
            entry.lastError = nil
            entry.inactive = decision.reactive.conditions.first { $0.type == "ScalingActive" && $0.status == .false }
                .map { "\($0.reason): \($0.message)" }
            entry.explanation = decision.explanation
            entry.evaluations += 1
            entry.lastDurationSeconds = seconds
            entry.upcomingReplicas = upcoming
            entry.podRequests = podRequests ?? entry.podRequests
            state.entries[Self.key(policy)] = entry
        }
    }

    /// What became of the newest decision's change: applied, refused, held.
    func recordAction(_ action: ScaleActionRecord, of policy: ScalingPolicy) {
        state.withLock { state in
            guard state.entries[Self.key(policy)]?.policy == policy else { return }
            state.entries[Self.key(policy)]?.lastAction = action
            if let replicas = action.appliedReplicas { state.entries[Self.key(policy)]?.currentReplicas = replicas }
            switch action.outcome {
            case .applied: state.applied[Self.labelKey(policy), default: 0] += 1
            case .failed: state.failedActions[Self.labelKey(policy), default: 0] += 1
            default: break
            }
        }
    }

    func recordFailure(_ message: String, of policy: ScalingPolicy, at now: Date) {
        state.withLock { state in
            guard state.entries[Self.key(policy)]?.policy == policy else { return }
            state.entries[Self.key(policy)]?.lastError = message
            state.entries[Self.key(policy)]?.evaluatedAt = now
            state.entries[Self.key(policy)]?.failures += 1
        }
    }

    /// Decisions made since start, over every policy.
    public var evaluationCount: Int {
        state.withLock { $0.entries.values.reduce(0) { $0 + $1.evaluations } }
    }

    /// One policy's newest figures, as the API shows them.
    public struct Snapshot: Sendable {
        public var policy: ScalingPolicy
        public var evaluatedAt: Date?
        public var trigger: DecisionTrigger?
        public var evaluations: Int
        public var failures: Int
        public var lastError: String?
        /// The decision with its explanation (encodable as `surge decide -o json` prints it).
        public var decision: (any Encodable & Sendable)?
        /// Whether the newest decision's replica count is what the API server holds because Surge set it.
        public var applied: Bool
        /// The newest change Surge made or tried, and what the API answered.
        public var lastAction: ScaleActionRecord?
        public var desiredReplicas: Int?
        public var currentReplicas: Int?
        /// Why the newest decision could not scale on its metrics, nil when it could.
        public var inactive: String?
        public var explanation: [String] = []
        /// With node groups serving the policy: replicas its floors will want within a node boot,
        /// and what one of its pods requests.
        public var upcomingReplicas: Int?
        public var podRequests: ResourceAmounts?
    }

    /// Every policy's newest figures, in the order the policies were loaded.
    public func snapshots() -> [Snapshot] {
        let (all, order) = state.withLock { ($0.entries, $0.order) }
        return order.compactMap { all[$0] }.map { entry in
            Snapshot(policy: entry.policy, evaluatedAt: entry.evaluatedAt, trigger: entry.trigger, evaluations: entry.evaluations,
                     failures: entry.failures, lastError: entry.lastError, decision: entry.decision,
                     applied: entry.lastAction.map { $0.appliedReplicas != nil && $0.appliedReplicas == entry.desiredReplicas } ?? false,
                     lastAction: entry.lastAction,
                     desiredReplicas: entry.desiredReplicas, currentReplicas: entry.currentReplicas, inactive: entry.inactive,
                     explanation: entry.explanation, upcomingReplicas: entry.upcomingReplicas, podRequests: entry.podRequests)
        }
    }

    /// Sets the per-policy gauges and counters from the newest decisions.
    public func publish(to registry: PrometheusCollectorRegistry, counters: CounterTotals) {
        let (all, removed, applied, failedActions) = state.withLock { state in
            defer { state.removed = [] }
            return (state.entries, state.removed, state.applied, state.failedActions)
        }
        func gauge(_ name: String, _ policy: ScalingPolicy) -> Gauge {
            registry.makeGauge(name: name, labels: Self.labels(policy), help: Self.gauges[name]!)
        }
        func counter(_ name: String, _ policy: ScalingPolicy, _ total: Int) {
            counters.set(name, labels: Self.labels(policy), help: Self.counters[name]!, to: total)
        }
        // Dropped first: a policy dropped and then added back is registered again below.
        for policy in removed {
            for name in Self.gauges.keys { registry.unregisterGauge(gauge(name, policy)) }
            for (name, help) in Self.counters { counters.remove(name, labels: Self.labels(policy), help: help) }
        }
        for entry in all.values {
            let policy = entry.policy
            counter("surge_scaling_evaluations_total", policy, entry.evaluations)
            counter("surge_scaling_evaluation_failures_total", policy, entry.failures)
            if let desired = entry.desiredReplicas { gauge("surge_scaling_desired_replicas", policy).set(Double(desired)) }
            if let current = entry.currentReplicas { gauge("surge_scaling_current_replicas", policy).set(Double(current)) }
            counter("surge_scaling_actions_applied_total", policy, applied[Self.labelKey(policy)] ?? 0)
            counter("surge_scaling_actions_failed_total", policy, failedActions[Self.labelKey(policy)] ?? 0)
            gauge("surge_scaling_min_replicas", policy).set(Double(policy.minReplicas))
            gauge("surge_scaling_max_replicas", policy).set(Double(policy.maxReplicas))
            if let seconds = entry.lastDurationSeconds { gauge("surge_scaling_decision_duration_seconds", policy).set(seconds) }
        }
    }

    static func labelKey(_ policy: ScalingPolicy) -> String {
        labels(policy).map { "\($0.0)=\($0.1)" }.joined(separator: ",")
    }

    static func labels(_ policy: ScalingPolicy) -> [(String, String)] {
        [("policy", policy.name), ("namespace", policy.target.namespace), ("kind", policy.target.kind), ("target", policy.target.name)]
    }

    /// The per-policy gauges and their help texts (one text per name, as the registry requires).
    static let counters = [
        "surge_scaling_evaluations_total": "Decisions a policy made since start.",
        "surge_scaling_evaluation_failures_total": "Evaluations of a policy that failed since start (the workload could not be read).",
        "surge_scaling_actions_applied_total": "Replica changes of a policy the API server accepted since start.",
        "surge_scaling_actions_failed_total": "Replica changes of a policy the API server refused or did not answer since start (after retries).",
    ]

    static let gauges = [
        "surge_scaling_desired_replicas": "The replicas a policy's newest decision wants.",
        "surge_scaling_current_replicas": "The workload's replicas at the newest decision.",
        "surge_scaling_decision_duration_seconds": "How long the newest decision took, reading metrics and the workload included.",
        "surge_scaling_min_replicas": "The fewest replicas a policy allows (minReplicas).",
        "surge_scaling_max_replicas": "The most replicas a policy allows (maxReplicas).",
    ]
}
