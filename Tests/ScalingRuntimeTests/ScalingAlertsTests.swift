import Foundation
import Scaling
@testable import ScalingRuntime
import Testing
import TimeSeriesCore

/// Which scaling alerts fire, resend and resolve along the clock.
@Suite struct ScalingAlertsTests {
    static let policy = ScalingPolicy(name: "web", target: .init(namespace: "shop", name: "web"), minReplicas: 1, maxReplicas: 10,
                                      metrics: [MetricSpecification(source: .pods("http_requests_per_second"), target: .averageValue(100_000))],
                                      intervalSeconds: 15)
    static let start: Timestamp = 1_800_000_000_000

    static func snapshot(desired: Int?, current: Int?, error: String? = nil, inactive: String? = nil, at time: Timestamp) -> ScalingDecisions.Snapshot {
        ScalingDecisions.Snapshot(policy: policy, evaluatedAt: Date(timeIntervalSince1970: Double(time) / 1000), trigger: .interval, evaluations: 1,
                                  failures: error == nil ? 0 : 1, lastError: error, decision: nil, applied: false,
                                  desiredReplicas: desired, currentReplicas: current, inactive: inactive, explanation: ["why"])
    }

    static func names(_ alerts: [ScalingAlert], at time: Timestamp) -> [String] {
        alerts.map { "\($0.labels["alertname"]!)\($0.labels["desired_replicas"].map { "=\($0)" } ?? "")/\($0.endsAt <= time ? "resolved" : "firing")" }
    }

    @Test func eachNewCountIsAnAlertAndTheOldOneResolves() {
        var state = ScalingAlertState(atMaxFor: 30 * 60_000)
        let t = Self.start
        #expect(state.observe([Self.snapshot(desired: 3, current: 3, at: t)], at: t).isEmpty)
        let first = state.observe([Self.snapshot(desired: 5, current: 3, at: t + 1000)], at: t + 1000)
        #expect(Self.names(first, at: t + 1000) == ["ScalingReplicasChange=5/firing"])
        #expect(first[0].annotations["summary"] == "Deployment shop/web: 3 → 5 replicas (decided, not applied).")
        #expect(first[0].labels == ["alertname": "ScalingReplicasChange", "severity": "info", "policy": "web", "namespace": "shop",
                                    "kind": "Deployment", "target": "web", "desired_replicas": "5"])
        // Nothing new within the resend delay; resent after it.
        #expect(state.observe([Self.snapshot(desired: 5, current: 3, at: t + 2000)], at: t + 2000).isEmpty)
        #expect(Self.names(state.observe([Self.snapshot(desired: 5, current: 3, at: t + 61_000)], at: t + 61_000), at: t + 61_000)
                == ["ScalingReplicasChange=5/firing"])
        // A new count: a new alert, and the previous one resolves.
        let changed = state.observe([Self.snapshot(desired: 7, current: 3, at: t + 62_000)], at: t + 62_000)
        #expect(Self.names(changed, at: t + 62_000) == ["ScalingReplicasChange=7/firing", "ScalingReplicasChange=5/resolved"])
        // The workload reached it: resolved.
        #expect(Self.names(state.observe([Self.snapshot(desired: 7, current: 7, at: t + 63_000)], at: t + 63_000), at: t + 63_000)
                == ["ScalingReplicasChange=7/resolved"])
    }

    @Test func aFailingPolicyAlertsUntilItRecovers() {
        var state = ScalingAlertState()
        let t = Self.start
        let failing = state.observe([Self.snapshot(desired: nil, current: nil, error: "cannot read the workload: forbidden", at: t)], at: t)
        #expect(Self.names(failing, at: t) == ["ScalingPolicyFailing/firing"])
        #expect(failing[0].annotations["description"] == "cannot read the workload: forbidden")
        // Metrics missing: the HPA's ScalingActive=False is a failure too.
        let inactive = state.observe([Self.snapshot(desired: 3, current: 3, inactive: "FailedGetPodsMetric: no samples", at: t + 61_000)], at: t + 61_000)
        #expect(inactive.first?.annotations["description"] == "FailedGetPodsMetric: no samples")
        #expect(Self.names(state.observe([Self.snapshot(desired: 3, current: 3, at: t + 62_000)], at: t + 62_000), at: t + 62_000)
                == ["ScalingPolicyFailing/resolved"])
    }

    @Test func atTheMaximumForLongAlertsOnce() {
        var state = ScalingAlertState(atMaxFor: 10 * 60_000)
        let t = Self.start
        var fired: Timestamp?
        for minute in 0...12 {
            let now = t + Int64(minute) * 60_000
            let alerts = state.observe([Self.snapshot(desired: 10, current: 10, at: now)], at: now)
            if fired == nil, alerts.contains(where: { $0.labels["alertname"] == "ScalingAtMaxReplicas" }) { fired = now }
        }
        #expect(fired == t + 10 * 60_000)
        // Below the maximum: resolved, and the clock starts over.
        let below = state.observe([Self.snapshot(desired: 9, current: 10, at: t + 13 * 60_000)], at: t + 13 * 60_000)
        #expect(Self.names(below, at: t + 13 * 60_000).contains("ScalingAtMaxReplicas/resolved"))
        let again = state.observe([Self.snapshot(desired: 10, current: 10, at: t + 14 * 60_000)], at: t + 14 * 60_000)
        #expect(!again.contains { $0.labels["alertname"] == "ScalingAtMaxReplicas" })
    }

    @Test func aRemovedPolicysAlertsResolve() {
        var state = ScalingAlertState()
        let t = Self.start
        _ = state.observe([Self.snapshot(desired: 5, current: 3, at: t)], at: t)
        #expect(Self.names(state.observe([], at: t + 1000), at: t + 1000) == ["ScalingReplicasChange=5/resolved"])
    }

    @Test func anAppliedChangeIsToldAndResolvesLater() {
        var state = ScalingAlertState()
        let t = Self.start
        var snapshot = Self.snapshot(desired: 5, current: 5, at: t)
        snapshot.applied = true
        snapshot.lastAction = ScaleActionRecord(time: Date(timeIntervalSince1970: Double(t) / 1000), from: 3, to: 5, outcome: .applied,
                                                message: "New size: 5; reason: pods metric http_requests_per_second above target")
        let told = state.observe([snapshot], at: t)
        #expect(Self.names(told, at: t) == ["ScalingReplicasChange=5/firing"])
        #expect(told.first?.annotations["summary"] == "Deployment shop/web: 3 → 5 replicas (applied).")
        #expect(told.first?.annotations["description"]?.hasPrefix("New size: 5; reason:") == true)
        // Told once (resent as any firing alert), resolved five minutes on.
        #expect(state.observe([snapshot], at: t + 1_000).isEmpty)
        #expect(Self.names(state.observe([snapshot], at: t + 5 * 60_000), at: t + 5 * 60_000) == ["ScalingReplicasChange=5/resolved"])
        #expect(state.observe([snapshot], at: t + 5 * 60_000 + 1_000).isEmpty)
    }
}
