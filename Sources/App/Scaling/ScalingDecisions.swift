import Foundation
import Prometheus
import Scaling
import Synchronization

/// The newest decision of each policy `surge serve` evaluates, for `/api/v1/scaling/decisions` and
/// the `surge_scaling_*` gauges.
public final class ScalingDecisions: Sendable {
    /// What started a decision: the policy's interval (a sync, with the workload read afresh) or a
    /// sample of its metrics arriving in storage.
    enum Trigger: String, Sendable { case interval, arrival }

    struct Entry: Sendable {
        var policy: ScalingPolicy
        /// The decision report as compact JSON, nil until the first evaluation succeeds.
        var decision: String?
        var desiredReplicas: Int?
        var currentReplicas: Int?
        var evaluatedAt: Date?
        var trigger: Trigger?
        var lastError: String?
        var evaluations = 0
        var failures = 0
        var lastDurationSeconds: Double?
    }

    struct State: Sendable {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        /// Policies dropped by a reload whose gauges are still registered.
        var removed: [ScalingPolicy] = []
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

    func record(_ decision: PolicyDecision, of policy: ScalingPolicy, at now: Date, trigger: Trigger, seconds: Double) {
        let json = try? DecisionReport.json(decision, policy: policy, now: now, pretty: false)
        state.withLock { state in
            guard var entry = state.entries[Self.key(policy)], entry.policy == policy else { return }
            entry.decision = json
            entry.desiredReplicas = decision.desiredReplicas
            entry.currentReplicas = decision.reactive.currentReplicas
            entry.evaluatedAt = now
            entry.trigger = trigger
            entry.lastError = nil
            entry.evaluations += 1
            entry.lastDurationSeconds = seconds
            state.entries[Self.key(policy)] = entry
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

    /// `data` of the API answer: one object per policy, in the order the policies were loaded.
    public func json() -> String {
        let (all, order) = state.withLock { ($0.entries, $0.order) }
        let objects = order.compactMap { all[$0] }.map { entry -> String in
            let policy = entry.policy
            var fields = [
                "\"policy\":\(quote(policy.name))", "\"source\":\(quote(policy.source))",
                "\"target\":{\"apiVersion\":\(quote(policy.target.apiVersion)),\"kind\":\(quote(policy.target.kind)),"
                    + "\"namespace\":\(quote(policy.target.namespace)),\"name\":\(quote(policy.target.name))}",
                "\"evaluatedAt\":\(entry.evaluatedAt.map { quote($0.formatted(.iso8601)) } ?? "null")",
                "\"trigger\":\(entry.trigger.map { quote($0.rawValue) } ?? "null")",
                "\"evaluations\":\(entry.evaluations)", "\"failures\":\(entry.failures)",
                "\"lastError\":\(entry.lastError.map(quote) ?? "null")",
                "\"decision\":\(entry.decision ?? "null")",
            ]
            fields.append("\"applied\":false")
            return "{" + fields.joined(separator: ",") + "}"
        }
        return "[" + objects.joined(separator: ",") + "]"
    }

    /// Sets the per-policy gauges from the newest decisions.
    public func publish(to registry: PrometheusCollectorRegistry) {
        let (all, removed) = state.withLock { state in
            defer { state.removed = [] }
            return (state.entries, state.removed)
        }
        func gauge(_ name: String, _ policy: ScalingPolicy) -> Gauge {
            registry.makeGauge(name: name, labels: Self.labels(policy), help: Self.gauges[name]!)
        }
        // Dropped first: a policy dropped and then added back is registered again below.
        for policy in removed {
            for name in Self.gauges.keys { registry.unregisterGauge(gauge(name, policy)) }
        }
        for entry in all.values {
            let policy = entry.policy
            gauge("surge_scaling_evaluations", policy).set(Double(entry.evaluations))
            gauge("surge_scaling_evaluation_failures", policy).set(Double(entry.failures))
            if let desired = entry.desiredReplicas { gauge("surge_scaling_desired_replicas", policy).set(Double(desired)) }
            if let current = entry.currentReplicas { gauge("surge_scaling_current_replicas", policy).set(Double(current)) }
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
    static let gauges = [
        "surge_scaling_evaluations": "Decisions a policy made since start.",
        "surge_scaling_evaluation_failures": "Evaluations of a policy that failed since start (the workload could not be read).",
        "surge_scaling_desired_replicas": "The replicas a policy's newest decision wants.",
        "surge_scaling_current_replicas": "The workload's replicas at the newest decision.",
        "surge_scaling_decision_duration_seconds": "How long the newest decision took, reading metrics and the workload included.",
    ]

    private func quote(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
