import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore
import WireFormat

/// `surge decide` (snapshot and live against a running server) and `surge backtest`, as users run them.
@Suite(.serialized) struct ScalingCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func decidesFromASnapshotAsJSONAndText() async throws {
        let snapshot = Self.root.appendingPathComponent("Tests/ScalingTests/Fixtures/cpu-scale-up.json").path
        let json = try await SurgeBinary.run(["decide", "--snapshot", snapshot, "-o", "json"])
        #expect(json.status == 0, "\(json.output)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(answer["desiredReplicas"] as? Int == 5 && answer["currentReplicas"] as? Int == 4)
        #expect(answer["limitedBy"] as? String == "ScaleUpLimit")
        let proposals = try #require(answer["proposals"] as? [[String: Any]])
        #expect(proposals.map { $0["replicas"] as? Int } == [6, 6] && proposals.first?["utilization"] as? Int == 90)
        let text = try await SurgeBinary.run(["decide", "--snapshot", snapshot])
        #expect(text.output.contains("resource cpu on pods (as a percentage of request):") && text.output.contains("90% (450m) / 60%"), "\(text.output)")
        #expect(text.output.contains("4 current / 5 desired") && text.output.contains("ScalingLimited  True    ScaleUpLimit"), "\(text.output)")

        let dir = try TemporaryDirectory(prefix: "surge-decide")
        defer { dir.remove() }
        let broken = dir.url.appendingPathComponent("broken.json")
        try "{\n  \"now\": \"2026-11-22T10:00:00Z\",\n  \"policy\": {\"name\": \"a\"}\n}\n".write(to: broken, atomically: true, encoding: .utf8)
        let refused = try await SurgeBinary.run(["decide", "--snapshot", broken.path])
        #expect(refused.status != 0 && refused.output.contains("broken.json:3: policy \"a\" (target or spec.scaleTargetRef) needs \"target\""), "\(refused.output)")
    }

    @Test(.timeLimit(.minutes(2)))
    func decidesLiveFromARunningServer() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-decide-live")
        defer { dir.remove() }
        let port = try freeLocalPort()
        let surge = try await SurgeBinary.serve(dataDirectory: dir.url.appendingPathComponent("data").path, port: port,
                                                logURL: dir.url.appendingPathComponent("surge.log"))
        defer { surge.signal(SIGKILL) }
        let now = Int64(Date().timeIntervalSince1970) * 1000
        let batch = ["web-1", "web-2", "other-1"].map { pod in
            RemoteWriteEncoder.WireSeries(labels: Labels(["__name__": "http_requests_per_second", "namespace": "shop", "pod": pod]).pairs,
                                          samples: [Sample(timestamp: now - 5000, value: 150)])
        }
        let reply = try await TestHTTP.post("http://127.0.0.1:\(port)/api/v1/write", body: RemoteWriteEncoder.encode(batch, version: .v1),
                                            headers: [("Content-Type", RemoteWriteVersion.v1ContentType), ("Content-Encoding", "snappy")])
        #expect(reply.status == 204)
        let policy = dir.url.appendingPathComponent("web.yaml")
        try """
            policies:
              - name: web
                target: {kind: Deployment, namespace: shop, name: web}
                maxReplicas: 10
                metrics:
                  - type: Pods
                    pods: {metric: {name: http_requests_per_second}, target: {type: AverageValue, averageValue: "100"}}
            """.write(to: policy, atomically: true, encoding: .utf8)
        let live = try await SurgeBinary.run(["decide", "--policy", policy.path, "--prometheus-url", "http://127.0.0.1:\(port)", "--replicas", "2", "-o", "json"])
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(live.output.utf8)) as? [String: Any], "\(live.output)")
        // Two pods of web at 150 against 100: three replicas; other-1 belongs to another workload.
        #expect(answer["desiredReplicas"] as? Int == 3, "\(live.output)")
    }

    @Test func backtestsATraceWithPlotAndTimeline() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-backtest")
        defer { dir.remove() }
        var csv = "timestamp,value\n"
        for minute in stride(from: 0, to: 4 * 1440, by: 10) {
            let hour = (minute % 1440) / 60
            csv += "\(1_767_225_600 + minute * 60),\(hour >= 9 && hour < 18 ? 1500 : 300)\n"
        }
        let trace = dir.url.appendingPathComponent("load.csv")
        try csv.write(to: trace, atomically: true, encoding: .utf8)
        let policy = dir.url.appendingPathComponent("policy.yaml")
        try """
            policies:
              - name: web
                target: {kind: Deployment, name: web}
                minReplicas: 2
                maxReplicas: 40
                metrics:
                  - type: Pods
                    pods: {metric: {name: rps}, target: {type: AverageValue, averageValue: "100"}}
                predictive: {season: 1d, history: 2d, resolution: 10m, podStartup: 2m}
            """.write(to: policy, atomically: true, encoding: .utf8)
        let plot = dir.url.appendingPathComponent("plot.svg").path
        let timeline = dir.url.appendingPathComponent("timeline.csv").path
        let run = try await SurgeBinary.run(["backtest", "--load", trace.path, "--policy", policy.path, "--capacity-per-pod", "100",
                                             "--pod-startup", "2m", "--plot", plot, "--timeline", timeline, "-o", "json"])
        #expect(run.status == 0, "\(run.output)")
        let jsonText = String(run.output[run.output.firstIndex(of: "{")!...])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(jsonText.utf8)) as? [String: Any])
        let variants = try #require(report["variants"] as? [String: [String: Any]])
        let hpa = try #require(variants["hpa"]?["underProvisionedSeconds"] as? Double)
        let ours = try #require(variants["policy"]?["underProvisionedSeconds"] as? Double)
        let oracle = variants["oracle"]?["underProvisionedSeconds"] as? Double
        #expect(hpa > 0 && ours < hpa && oracle == 0, "\(jsonText)")
        let rows = try String(contentsOfFile: timeline, encoding: .utf8).split(separator: "\n")
        #expect(rows.first == "time,demand,policy_desired,policy_ready,hpa_desired,hpa_ready,oracle_desired,oracle_ready,hpa@70%_desired,hpa@70%_ready,policy_floor")
        let steps = (4 * 1440 - 10) * 4 + 1
        #expect(rows.count == steps + 1)
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        // Four panels: three of demand and four variants' capacity, one of four variants' replicas,
        // each with the policy's forecast floor where it has one. The worst day is the first, before
        // the forecast has a day to learn from: only the whole trace's panel has a floor.
        let lines = svg.components(separatedBy: "<polyline").count - 1
        #expect(svg.hasPrefix("<svg") && lines == 6 + 5 + 5 + 4, "\(lines)")
        #expect(svg.contains("time (UTC)") && svg.contains(">requests/s<") && svg.contains(">replicas<"))
        #expect(svg.contains("The policy's worst day by under-provisioned time: 2026-01-01 ("))

        // With nodes: the report, the timeline and the plot gain them.
        let withNodes = try await SurgeBinary.run(["backtest", "--load", trace.path, "--policy", policy.path, "--capacity-per-pod", "100",
                                                   "--pod-startup", "2m", "--pods-per-node", "4", "--node-boot", "3m", "--plot", plot,
                                                   "--timeline", timeline, "-o", "json"])
        #expect(withNodes.status == 0, "\(withNodes.output)")
        let nodesReport = try #require(try JSONSerialization.jsonObject(with: Data(String(withNodes.output[withNodes.output.firstIndex(of: "{")!...]).utf8)) as? [String: Any])
        let nodes = try #require(nodesReport["nodes"] as? [String: [String: Any]])
        let reactivePending = try #require(nodes["hpa"]?["pendingPodSeconds"] as? Double)
        let aheadPending = try #require(nodes["policy"]?["pendingPodSeconds"] as? Double)
        // Every morning's jump from 3 to 15 pods needs three more nodes: Cluster Autoscaler's come a boot late.
        #expect(reactivePending > 0 && aheadPending < reactivePending && nodes["oracle"]?["pendingPodSeconds"] as? Double == 0, "\(nodes)")
        #expect((nodesReport["nodeRatios"] as? [String: Double])?["pendingVsHPA"] != nil)
        let nodeRows = try String(contentsOfFile: timeline, encoding: .utf8).split(separator: "\n")
        #expect(nodeRows.first?.hasSuffix(",policy_floor,policy_nodes,hpa_nodes,oracle_nodes,hpa@70%_nodes") == true)
        let nodeSVG = try String(contentsOfFile: plot, encoding: .utf8)
        #expect(nodeSVG.contains(">nodes<") && nodeSVG.components(separatedBy: "<polyline").count - 1 == lines + 4)

        let bad = dir.url.appendingPathComponent("bad.csv")
        try "timestamp,value\n0,1\nnoon,2\n".write(to: bad, atomically: true, encoding: .utf8)
        let refused = try await SurgeBinary.run(["backtest", "--load", bad.path, "--policy", policy.path, "--capacity-per-pod", "100", "--pod-startup", "2m"])
        #expect(refused.status != 0 && refused.output.contains("bad.csv:3: \"noon\" is not an RFC 3339 time"), "\(refused.output)")
    }
}
