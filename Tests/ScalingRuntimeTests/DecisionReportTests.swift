import Foundation
import Scaling
import ScalingRuntime
import Testing

/// `surge decide -o json` carries the controller's history as it stands after the decision, in the
/// shape a snapshot's `history` takes: a sequence of decisions replays from snapshots.
@Suite struct DecisionReportTests {
    static func snapshot(now: String, replicas: Int, perPod: String, history: String?) -> String {
        """
        {"now": "\(now)",
         "policy": {"name": "web", "target": {"kind": "Deployment", "namespace": "shop", "name": "web"}, "minReplicas": 1, "maxReplicas": 20,
                    "metrics": [{"type": "Pods", "pods": {"metric": {"name": "rps"}, "target": {"type": "AverageValue", "averageValue": "100"}}}]},
         "target": {"specReplicas": \(replicas)},
         "pods": [\((0..<replicas).map { "{\"name\": \"web-\($0)\"}" }.joined(separator: ", "))],
         "metrics": {"pods": [\((0..<replicas).map { "{\"pod\": \"web-\($0)\", \"name\": \"rps\", \"value\": \"\(perPod)\", \"timestamp\": \"\(now)\"}" }.joined(separator: ", "))]}
         \(history.map { ", \"history\": \($0)" } ?? "")}
        """
    }

    static func decide(_ text: String) throws -> (PolicyDecision, [String: Any]) {
        let snapshot = try DecisionSnapshot.parse(text, path: "s.json")
        let decision = snapshot.decide()
        let json = try DecisionReport.json(decision, policy: snapshot.policy, now: snapshot.now)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return (decision, report)
    }

    @Test func aSequenceOfDecisionsReplaysFromSnapshots() throws {
        // A new policy (no history) on 8 pods at 20 each: 2 wanted, but the first recommendation is
        // the 8 it found, so scale-down stabilization holds 8.
        let (first, firstReport) = try Self.decide(Self.snapshot(now: "2026-11-22T10:00:00Z", replicas: 8, perPod: "20", history: nil))
        #expect(first.reactive.proposals.first?.replicas == 2 && first.desiredReplicas == 8)
        let history = try #require(firstReport["history"] as? [String: Any])
        #expect(history["evaluatedBefore"] as? Bool == true)
        let recommendations = try #require(history["recommendations"] as? [[String: Any]])
        #expect(recommendations.map { $0["replicas"] as? Int } == [8, 2])
        #expect((history["scaleUpEvents"] as? [Any])?.isEmpty == true && (history["scaleDownEvents"] as? [Any])?.isEmpty == true)

        // The next decision, 4 minutes later, from the history the first returned: still held at 8.
        let carried = String(decoding: try JSONSerialization.data(withJSONObject: history), as: UTF8.self)
        let (second, _) = try Self.decide(Self.snapshot(now: "2026-11-22T10:04:00Z", replicas: 8, perPod: "20", history: carried))
        #expect(second.desiredReplicas == 8)
        // Past the 5-minute window the recommendation of 8 has expired: down to 2.
        let (third, _) = try Self.decide(Self.snapshot(now: "2026-11-22T10:05:30Z", replicas: 8, perPod: "20", history: carried))
        #expect(third.desiredReplicas == 2)
        // The same snapshot with the history left out is a new policy again.
        let (fresh, _) = try Self.decide(Self.snapshot(now: "2026-11-22T10:05:30Z", replicas: 8, perPod: "20", history: nil))
        #expect(fresh.desiredReplicas == 8)
    }

    @Test func aSnapshotCanSayThePolicyWasNeverEvaluated() throws {
        let never = #"{"evaluatedBefore": false, "recommendations": []}"#
        let (decision, _) = try Self.decide(Self.snapshot(now: "2026-11-22T10:00:00Z", replicas: 8, perPod: "20", history: never))
        #expect(decision.desiredReplicas == 8)
        let (known, _) = try Self.decide(Self.snapshot(now: "2026-11-22T10:00:00Z", replicas: 8, perPod: "20", history: #"{"recommendations": []}"#))
        #expect(known.desiredReplicas == 2)
    }
}
