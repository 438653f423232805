import Foundation
import SurgeTestKit
import Testing

/// Threshold triggers with the real binary: a condition on a remote-written series that holds for
/// its `for` scales the Deployment by its step, recorded as the trigger's rescale and followed by
/// its cooldown; `surge decide` and `surge backtest` explain and replay the same triggers.
@Suite(.serialized) struct ScalingTriggerServeTests {
    static let policy = """
        policies:
          - name: web
            target: {kind: Deployment, namespace: shop, name: web}
            maxReplicas: 10
            interval: 1s
            metrics:
              - type: Pods
                pods: {metric: {name: http_requests_per_second}, target: {type: AverageValue, averageValue: "100"}}
            triggers:
              - name: backlog
                when: sum(queue_depth{namespace="shop"}) > 100
                for: 2s
                scaleBy: 3
                cooldown: 1m
        """

    @Test(.timeLimit(.minutes(2)))
    func aTriggerThatHoldsForItsDurationScalesByItsStepThenCoolsDown() async throws {
        try await ScalingServeTests.serving("surge-scaling-trigger", account: ScalingServeTests.scaler,
                                            policyFiles: ScalingServeTests.policyFile(Self.policy)) { served in
            let (fake, port, base) = (served.fake, served.port, served.base)
            func replicas() -> Int? { fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int }
            // 100 per pod against 100: the metrics ask for no change. The backlog grows past 100.
            let pods = ["web-1", "web-2", "web-3"].map { ("http_requests_per_second", ["namespace": "shop", "pod": $0], 100.0) }
            let deadline = ContinuousClock.now + .seconds(30)
            while replicas() == 3 && ContinuousClock.now < deadline {
                try await ScalingServeTests.remoteWrite(pods + [("queue_depth", ["namespace": "shop", "queue": "orders"], 500)], port: port)
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(replicas() == 6, "\(served.surge.log.suffix(2000))")
            // The Event is recorded after the scale is written: give it a moment.
            var events = fake.events(namespace: "shop")
            func rescaled() -> Bool {
                events.contains { $0[path: "reason"]?.string == "SuccessfulRescale" && $0[path: "message"]?.string == "New size: 6; reason: trigger backlog fired" }
            }
            let eventDeadline = ContinuousClock.now + .seconds(5)
            while !rescaled() && ContinuousClock.now < eventDeadline {
                try await Task.sleep(for: .milliseconds(100))
                events = fake.events(namespace: "shop")
            }
            #expect(rescaled(), "\(events)")
            // Still holding, but cooling down: a few more syncs change nothing.
            for _ in 0..<8 {
                try await ScalingServeTests.remoteWrite(pods.map { ($0.0, $0.1, 50.0) } + [("queue_depth", ["namespace": "shop", "queue": "orders"], 500)], port: port)
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(replicas() == 6)
            let entries = try await TestHTTP.get("\(base)/api/v1/scaling/decisions").json()["data"] as? [[String: Any]] ?? []
            let decision = entries.first?["decision"] as? [String: Any] ?? [:]
            let trigger = (decision["triggers"] as? [[String: Any]])?.first ?? [:]
            #expect(trigger["name"] as? String == "backlog" && trigger["status"] as? String == "coolingDown" && trigger["change"] as? String == "+3",
                    "\(decision)")

            // `surge decide` reads the same policy from this Surge and explains the trigger.
            let file = URL(fileURLWithPath: served.dataDirectory).deletingLastPathComponent().appendingPathComponent("web.yaml").path
            let decided = try await SurgeBinary.run(["decide", "--policy", file, "--prometheus-url", base, "--replicas", "6"])
            #expect(decided.status == 0, "\(decided.output)")
            #expect(decided.output.contains("Triggers:") && decided.output.contains(#"backlog:"#)
                    && decided.output.contains(#"pending: sum(queue_depth{namespace="shop"}) > 100 → +3"#), "\(decided.output)")
            #expect(decided.output.contains("Trigger \"backlog\" (+3): its condition has held for 0s of 2s."), "\(decided.output)")
        }
    }

    @Test func backtestReportsEachTrigger() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-backtest-trigger")
        defer { dir.remove() }
        let trace = dir.url.appendingPathComponent("load.csv")
        try ("timestamp,value\n" + (0..<120).map { "\(1_800_000_000 + $0 * 60),\($0 < 60 ? 500 : 3000)" }.joined(separator: "\n") + "\n")
            .write(to: trace, atomically: true, encoding: .utf8)
        let policy = dir.url.appendingPathComponent("web.yaml")
        try """
            policies:
              - name: web
                target: {kind: Deployment, namespace: shop, name: web}
                maxReplicas: 60
                metrics:
                  - type: Pods
                    pods: {metric: {name: http_requests_per_second}, target: {type: AverageValue, averageValue: "70"}}
                triggers:
                  - {name: hot, when: 'avg(http_requests_per_second{namespace="shop", pod=~"web-.*"}) > 90', scaleByPercent: 50, cooldown: 1m}
                  - {name: queue, when: 'queue_depth > 10', scaleBy: 1}
            """.write(to: policy, atomically: true, encoding: .utf8)
        let run = try await SurgeBinary.run(["backtest", "--load", trace.path, "--policy", policy.path, "--capacity-per-pod", "100",
                                             "--pod-startup", "60s"])
        #expect(run.status == 0, "\(run.output)")
        let hot = run.output.split(separator: "\n").first { $0.hasPrefix("  hot: held ") }
        #expect(hot != nil && !hot!.contains("held 0,") && !hot!.contains("fired 0,"), "\(run.output)")
        #expect(run.output.contains("  queue: held 0, fired 0, drove 0; "), "\(run.output)")
        #expect(run.output.contains("evaluations failed: its condition selects none of the series the backtest simulates"), "\(run.output)")
    }
}
