import Foundation
import Prometheus
import Scaling
import Synchronization

/// The newest decision of each policy `surge serve` evaluates, for `/api/v1/scaling/decisions` and
/// the `surge_scaling_*` gauges.
public final class ScalingDecisions: Sendable {
    struct Entry: Sendable {
        var policy: ScalingPolicy
        /// The decision report as compact JSON, nil until the first evaluation succeeds.
        var decision: String?
        var desiredReplicas: Int?
        var currentReplicas: Int?
        var evaluatedAt: Date?
        var lastError: String?
        var evaluations = 0
        var failures = 0
        var lastDurationSeconds: Double?
    }

    private let entries: Mutex<[String: Entry]>
    let order: [String]

    public init(policies: [ScalingPolicy]) {
        order = policies.map(Self.key)
        entries = Mutex(Dictionary(policies.map { (Self.key($0), Entry(policy: $0)) }, uniquingKeysWith: { a, _ in a }))
    }

    static func key(_ policy: ScalingPolicy) -> String {
        "\(policy.target.namespace)/\(policy.name)"
    }

    func record(_ decision: PolicyDecision, of policy: ScalingPolicy, at now: Date, seconds: Double) {
        let json = try? DecisionReport.json(decision, policy: policy, now: now, pretty: false)
        entries.withLock { all in
            guard var entry = all[Self.key(policy)] else { return }
            entry.decision = json
            entry.desiredReplicas = decision.desiredReplicas
            entry.currentReplicas = decision.reactive.currentReplicas
            entry.evaluatedAt = now
            entry.lastError = nil
            entry.evaluations += 1
            entry.lastDurationSeconds = seconds
            all[Self.key(policy)] = entry
        }
    }

    func recordFailure(_ message: String, of policy: ScalingPolicy, at now: Date) {
        entries.withLock { all in
            all[Self.key(policy)]?.lastError = message
            all[Self.key(policy)]?.evaluatedAt = now
            all[Self.key(policy)]?.failures += 1
        }
    }

    /// `data` of the API answer: one object per policy, in the order the policies were loaded.
    public func json() -> String {
        let all = entries.withLock { $0 }
        let objects = order.compactMap { all[$0] }.map { entry -> String in
            let policy = entry.policy
            var fields = [
                "\"policy\":\(quote(policy.name))", "\"source\":\(quote(policy.source))",
                "\"target\":{\"apiVersion\":\(quote(policy.target.apiVersion)),\"kind\":\(quote(policy.target.kind)),"
                    + "\"namespace\":\(quote(policy.target.namespace)),\"name\":\(quote(policy.target.name))}",
                "\"evaluatedAt\":\(entry.evaluatedAt.map { quote($0.formatted(.iso8601)) } ?? "null")",
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
        let all = entries.withLock { $0 }
        for entry in all.values {
            let labels = [("policy", entry.policy.name), ("namespace", entry.policy.target.namespace),
                          ("kind", entry.policy.target.kind), ("target", entry.policy.target.name)]
            registry.makeGauge(name: "surge_scaling_evaluations", labels: labels, help: "Decisions a policy made since start.")
                .set(Double(entry.evaluations))
            registry.makeGauge(name: "surge_scaling_evaluation_failures", labels: labels,
                               help: "Evaluations of a policy that failed since start (the workload could not be read).")
                .set(Double(entry.failures))
            if let desired = entry.desiredReplicas {
                registry.makeGauge(name: "surge_scaling_desired_replicas", labels: labels, help: "The replicas a policy's newest decision wants.")
                    .set(Double(desired))
            }
            if let current = entry.currentReplicas {
                registry.makeGauge(name: "surge_scaling_current_replicas", labels: labels, help: "The workload's replicas at the newest decision.")
                    .set(Double(current))
            }
            if let seconds = entry.lastDurationSeconds {
                registry.makeGauge(name: "surge_scaling_decision_duration_seconds", labels: labels,
                                   help: "How long the newest decision took, reading metrics and the workload included.")
                    .set(seconds)
            }
        }
    }

    private func quote(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
