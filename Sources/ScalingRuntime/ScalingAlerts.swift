import Foundation
import Scaling
import TimeSeriesCore

/// An alert about scaling, in the shape notifiers take (labels, annotations, start and end).
public struct ScalingAlert: Sendable, Equatable {
    public var labels: [String: String]
    public var annotations: [String: String]
    public var startsAt: Timestamp
    /// For a firing alert, until when it is valid without a resend; for a resolved one, when it ended.
    public var endsAt: Timestamp
}

/// Turns the scaling decisions into alerts, so the people who get Prometheus' alerts also learn
/// what scaling did, along the clock (values in, alerts to send out):
/// - `ScalingReplicasChange` (info) while a decision wants replicas other than the workload has,
///   one alert per wanted count, so each new count is notified; and for `appliedFor` after a
///   change the API server accepted;
/// - `ScalingPolicyFailing` (warning) while a policy cannot read its workload or metrics;
/// - `ScalingAtMaxReplicas` (warning) once a policy has wanted its maxReplicas for `atMaxFor`.
/// Firing alerts are resent every `resendDelay`, valid for four of them, as Prometheus resends;
/// an alert whose cause is gone, or whose policy was removed, is sent once more as resolved.
public struct ScalingAlertState: Sendable {
    public var atMaxFor: Int64
    public var resendDelay: Int64

    private struct Active: Sendable {
        var alert: ScalingAlert
        var lastSent: Timestamp
    }

    private var active: [[String: String]: Active] = [:]
    /// Since when each policy (by namespace/name) has wanted its maximum.
    private var atMaxSince: [String: Timestamp] = [:]
    /// Changes the API server accepted, each told as an alert for `appliedFor` after it was made.
    private var applied: [String: (time: Date, labels: [String: String], annotations: [String: String], until: Timestamp)] = [:]
    /// How long an applied change stays a firing alert before it resolves.
    public var appliedFor: Int64 = 5 * 60_000

    public init(atMaxFor: Int64 = 30 * 60_000, resendDelay: Int64 = 60_000) {
        self.atMaxFor = atMaxFor
        self.resendDelay = resendDelay
    }

    /// The alerts to send at `now`, given every policy's newest figures.
    public mutating func observe(_ snapshots: [ScalingDecisions.Snapshot], at now: Timestamp) -> [ScalingAlert] {
        var wanted: [[String: String]: [String: String]] = [:]
        var stillAtMax: Set<String> = []
        for snapshot in snapshots {
            let policy = snapshot.policy
            let target = "\(policy.target.kind) \(policy.target.namespace)/\(policy.target.name)"
            let base = ["policy": policy.name, "namespace": policy.target.namespace, "kind": policy.target.kind, "target": policy.target.name]
            func labels(_ name: String, _ severity: String, _ extra: [String: String] = [:]) -> [String: String] {
                base.merging(["alertname": name, "severity": severity]) { $1 }.merging(extra) { $1 }
            }
            if let problem = snapshot.lastError ?? snapshot.inactive {
                wanted[labels("ScalingPolicyFailing", "warning")] = [
                    "summary": "Scaling policy \(policy.name) cannot decide for \(target); replicas are held.",
                    "description": problem,
                ]
            }
            let key = ScalingDecisions.key(policy)
            // A change Surge applied: the workload has the count now, so it is told from the action.
            if let action = snapshot.lastAction, action.outcome == .applied, applied[key]?.time != action.time {
                applied[key] = (action.time, labels("ScalingReplicasChange", "info", ["desired_replicas": "\(action.to)"]), [
                    "summary": "\(target): \(action.from) → \(action.to) replicas (applied).",
                    "description": ([action.message] + snapshot.explanation).joined(separator: "\n"),
                ], now + appliedFor)
            }
            if let told = applied[key], told.until > now { wanted[told.labels] = told.annotations }
            guard snapshot.lastError == nil, let desired = snapshot.desiredReplicas, let current = snapshot.currentReplicas else { continue }
            if desired != current {
                wanted[labels("ScalingReplicasChange", "info", ["desired_replicas": "\(desired)"])] = [
                    "summary": "\(target): \(current) → \(desired) replicas" + (snapshot.applied ? "." : " (decided, not applied)."),
                    "description": snapshot.explanation.joined(separator: "\n"),
                ]
            }
            if desired >= policy.maxReplicas {
                stillAtMax.insert(key)
                let since = atMaxSince[key] ?? (snapshot.evaluatedAt.map { Timestamp($0.timeIntervalSince1970 * 1000) } ?? now)
                atMaxSince[key] = since
                if now - since >= atMaxFor {
                    wanted[labels("ScalingAtMaxReplicas", "warning")] = [
                        "summary": "\(target) has wanted its maximum of \(policy.maxReplicas) replicas for \(formatDuration(now - since)).",
                        "description": "Load is above what policy \(policy.name) may add; raise maxReplicas or the capacity per pod.",
                    ]
                }
            }
        }
        atMaxSince = atMaxSince.filter { stillAtMax.contains($0.key) }
        let present = Set(snapshots.map { ScalingDecisions.key($0.policy) })
        // Kept past its window (the same action is not told twice); dropped with its policy.
        applied = applied.filter { present.contains($0.key) }

        var out: [ScalingAlert] = []
        for (labels, annotations) in wanted.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            var entry = active[labels] ?? Active(alert: ScalingAlert(labels: labels, annotations: annotations, startsAt: now, endsAt: now), lastSent: .min)
            entry.alert.annotations = annotations
            if entry.lastSent == .min || now - entry.lastSent >= resendDelay {
                entry.alert.endsAt = now + 4 * resendDelay
                entry.lastSent = now
                out.append(entry.alert)
            }
            active[labels] = entry
        }
        for (labels, entry) in active.sorted(by: { "\($0.key)" < "\($1.key)" }) where wanted[labels] == nil {
            var resolved = entry.alert
            resolved.endsAt = now
            out.append(resolved)
            active[labels] = nil
        }
        return out
    }
}
