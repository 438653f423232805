import Foundation
import SurgeTestKit
import Testing

/// The spike scenario with the real binary: a remote-written QPS spike between syncs scales the
/// Deployment up at once (an arrival decision, not the next sync), and when the load drops it comes
/// back down only after the scale-down stabilization window, counted from that scale-up.
@Suite(.serialized) struct ScalingSpikeTests {
    static let policy = """
        policies:
          - name: web
            target: {kind: Deployment, namespace: shop, name: web}
            maxReplicas: 10
            interval: 10s
            behavior:
              scaleDown: {stabilizationWindowSeconds: 15}
            metrics:
              - type: Pods
                pods: {metric: {name: http_requests_per_second}, target: {type: AverageValue, averageValue: "100"}}
        """

    static func write(_ value: Double, port: Int) async throws {
        try await ScalingServeTests.remoteWrite(["web-1", "web-2", "web-3"].map { ("http_requests_per_second", ["namespace": "shop", "pod": $0], value) },
                                                port: port)
    }

    struct Audited {
        let time: Date
        let kind: String
        let trigger: String?
        let desired: Int?
        let outcome: String?
        let from: Int?
        let to: Int?
        let explanation: [String]
    }

    static func audit(_ dataDirectory: String) -> [Audited] {
        // Created with the first decision.
        guard let text = try? String(contentsOfFile: dataDirectory + "/audit/scaling.jsonl", encoding: .utf8) else { return [] }
        let iso = ISO8601DateFormatter()
        return text.split(separator: "\n").compactMap { line in
            guard let entry = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let time = (entry["time"] as? String).flatMap(iso.date(from:)) else { return nil }
            return Audited(time: time, kind: entry["kind"] as? String ?? "", trigger: entry["trigger"] as? String,
                           desired: entry["desiredReplicas"] as? Int, outcome: entry["outcome"] as? String, from: entry["from"] as? Int,
                           to: entry["to"] as? Int, explanation: entry["explanation"] as? [String] ?? [])
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aSpikeScalesUpAtOnceAndTheDropScalesDownOnlyAfterTheWindow() async throws {
        try await ScalingServeTests.serving("surge-scaling-spike", account: ScalingServeTests.scaler,
                                            policyFiles: ScalingServeTests.policyFile(Self.policy)) { served in
            let (fake, port) = (served.fake, served.port)
            func replicas() -> Int? { fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int }
            // 100 per pod against 100: three replicas are right. Wait for a sync to have decided so,
            // then spike at once, well before the next sync (10 s later).
            try await Self.write(100, port: port)
            var synced = 0
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let syncs = Self.audit(served.dataDirectory).filter { $0.kind == "decision" && $0.trigger == "interval" && $0.desired == 3 }
                if !syncs.isEmpty, synced == 0 { synced = syncs.count } else if syncs.count > synced, synced > 0 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(synced > 0, "\(served.surge.log.suffix(1500))")
            // 300 per pod: a ratio of 3 asks for 9; the default scale-up policies (100 % or 4 pods
            // per 15 s) allow 7.
            try await Self.write(300, port: port)
            var trail: [Audited] = []
            // The action is in the trail once the API server has answered; the fake holds the count before.
            let upDeadline = ContinuousClock.now + .seconds(20)
            while !trail.contains(where: { $0.kind == "action" && $0.to == 7 }) && ContinuousClock.now < upDeadline {
                try await Task.sleep(for: .milliseconds(20))
                trail = Self.audit(served.dataDirectory)
            }
            #expect(replicas() == 7, "\(served.surge.log.suffix(1500))")
            let upIndex = try #require(trail.firstIndex { $0.kind == "action" && $0.outcome == "applied" && $0.to == 7 }, "\(trail)")
            let up = trail[upIndex]
            let decidedBy = trail[..<upIndex].last { $0.kind == "decision" }
            #expect(decidedBy?.trigger == "arrival" && decidedBy?.desired == 7, "\(String(describing: decidedBy))")

            // The load drops to 50 per pod (asks for 2): no arrival or sync lowers the count until the
            // 15 s window since the scale-up has passed; then a sync brings it down.
            try await Self.write(50, port: port)
            let downDeadline = ContinuousClock.now + .seconds(60)
            while !trail.contains(where: { $0.kind == "action" && $0.from == 7 }) && ContinuousClock.now < downDeadline {
                try await Task.sleep(for: .milliseconds(200))
                try await Self.write(50, port: port)
                trail = Self.audit(served.dataDirectory)
            }
            let downIndex = try #require(trail.firstIndex { $0.kind == "action" && $0.outcome == "applied" && $0.from == 7 }, "\(trail)")
            let down = trail[downIndex]
            #expect(down.to == 2 && replicas() == 2, "\(down)")
            // Times are whole seconds in the trail: 15 s apart at least, less one for the truncation.
            #expect(down.time.timeIntervalSince(up.time) >= 14, "up \(up.time), down \(down.time)")
            // Every sync between them held at 7 but the last, which decided the scale-down.
            let syncs = trail[(upIndex + 1)..<downIndex].filter { $0.kind == "decision" && $0.trigger == "interval" }
            #expect(syncs.last?.desired == 2, "\(syncs)")
            let held = syncs.dropLast()
            #expect(!held.isEmpty && held.allSatisfy { $0.desired == 7 }, "\(held)")
            #expect(held.contains { $0.explanation.contains { $0.contains("recent recommendations were higher than current one") } }, "\(held)")
        }
    }
}
