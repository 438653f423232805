import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore
import WireFormat

/// `surge serve` evaluates scaling policies along the clock, reading metrics from its own storage and
/// workloads from the strict fake API server, and `surge decide --policy` reads the workload the same
/// way.
@Suite(.serialized) struct ScalingServeTests {
    static let reader = FakeKubernetesAccount(
        token: "scaling-token", user: "system:serviceaccount:surge:surge",
        rules: [FakeKubernetesRule(verbs: ["get"], apiGroups: ["apps"], resources: ["deployments/scale"], namespaces: ["shop"]),
                FakeKubernetesRule(verbs: ["list"], resources: ["pods"], namespaces: ["shop"])])

    /// Three pods of shop/web (one not reporting yet) and one of another workload.
    static func addWorkload(to fake: FakeKubernetesAPIServer) {
        fake.addDeployment(namespace: "shop", name: "web", replicas: 3, matchLabels: ["app": "web"])
        for (name, app) in [("web-1", "web"), ("web-2", "web"), ("web-3", "web"), ("api-1", "api")] {
            var pod = FakeKubernetesAPIServer.pod(name: name, namespace: "shop", labels: ["app": app], containers: [FakeKubernetesAPIServer.container("app")])
            pod["status"]?["startTime"] = "2026-01-01T00:00:00Z"
            _ = fake.addPod(pod)
        }
    }

    static func writeKubeconfig(_ fake: FakeKubernetesAPIServer, to url: URL, token: String = "scaling-token") throws {
        try """
            apiVersion: v1
            kind: Config
            current-context: test
            clusters: [{name: fake, cluster: {server: "\(fake.url)"}}]
            contexts: [{name: test, context: {cluster: fake, user: surge}}]
            users: [{name: surge, user: {token: \(token)}}]
            """.write(to: url, atomically: true, encoding: .utf8)
    }

    /// web-1 and web-2 report 200 requests per second each (web-3 nothing yet); api-1 reports 500, and
    /// web-canary-1, a pod of no workload here whose name shares web's prefix, 1000.
    static func writeMetrics(port: Int, ageMilliseconds: Int64 = 2000) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let batch = [("web-1", 200.0), ("web-2", 200), ("api-1", 500), ("web-canary-1", 1000)].map { pod, value in
            RemoteWriteEncoder.WireSeries(labels: Labels(["__name__": "http_requests_per_second", "namespace": "shop", "pod": pod]).pairs,
                                          samples: [Sample(timestamp: now - ageMilliseconds, value: value)])
        }
        let reply = try await TestHTTP.post("http://127.0.0.1:\(port)/api/v1/write", body: RemoteWriteEncoder.encode(batch, version: .v1),
                                            headers: [("Content-Type", RemoteWriteVersion.v1ContentType), ("Content-Encoding", "snappy")])
        #expect(reply.status == 204)
    }

    /// Remote-writes one sample now of each (metric name, labels, value).
    static func remoteWrite(_ series: [(String, [String: String], Double)], port: Int) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let batch = series.map { name, labels, value in
            RemoteWriteEncoder.WireSeries(labels: Labels(labels.merging(["__name__": name]) { $1 }).pairs, samples: [Sample(timestamp: now, value: value)])
        }
        let reply = try await TestHTTP.post("http://127.0.0.1:\(port)/api/v1/write", body: RemoteWriteEncoder.encode(batch, version: .v1),
                                            headers: [("Content-Type", RemoteWriteVersion.v1ContentType), ("Content-Encoding", "snappy")])
        #expect(reply.status == 204)
    }

    static let policies = """
        policies:
          - name: web
            target: {kind: Deployment, namespace: shop, name: web}
            maxReplicas: 10
            interval: 1s
            metrics:
              - type: Pods
                pods: {metric: {name: http_requests_per_second}, target: {type: AverageValue, averageValue: "100"}}
          - name: billing
            target: {kind: Deployment, namespace: billing, name: worker}
            maxReplicas: 4
            interval: 1s
            metrics:
              - type: Pods
                pods: {metric: {name: http_requests_per_second}, target: {type: AverageValue, averageValue: "100"}}
        """

    /// A running `surge serve` whose scaling section reads the policies `policyFiles` writes (it
    /// returns the `policy_files` entries) and the workload from the strict fake API server.
    struct Served {
        let fake: FakeKubernetesAPIServer
        let surge: ChildProcess
        let port: Int
        let dataDirectory: String
        var base: String { "http://127.0.0.1:\(port)" }
    }

    /// What Surge's service account may do when it applies decisions: read and write the scale,
    /// list pods and autoscalers, record Events.
    static let scaler = FakeKubernetesAccount(
        token: "scaling-token", user: "system:serviceaccount:surge:surge",
        rules: [FakeKubernetesRule(verbs: ["get", "update"], apiGroups: ["apps"], resources: ["deployments/scale"], namespaces: ["shop"]),
                FakeKubernetesRule(verbs: ["list"], resources: ["pods"], namespaces: ["shop"]),
                FakeKubernetesRule(verbs: ["list"], apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], namespaces: ["shop"]),
                FakeKubernetesRule(verbs: ["list"], apiGroups: ["keda.sh"], resources: ["scaledobjects"], namespaces: ["shop"]),
                FakeKubernetesRule(verbs: ["create"], resources: ["events"], namespaces: ["shop"])])

    /// A `policyFiles` that writes `text` as web.yaml and names it.
    static func policyFile(_ text: String) -> (URL) throws -> String {
        { dir in
            let file = dir.appendingPathComponent("web.yaml")
            try text.write(to: file, atomically: true, encoding: .utf8)
            return "\"\(file.path)\""
        }
    }

    /// The web policy alone (billing's workload cannot be read with every account here).
    static var webPolicy: String { String(policies[..<policies.range(of: "  - name: billing")!.lowerBound]) }

    static func serving(_ prefix: String, extraConfig: String = "", account: FakeKubernetesAccount = reader, policyFiles: (URL) throws -> String,
                        arrange: (FakeKubernetesAPIServer) -> Void = { _ in }, _ body: (Served) async throws -> Void) async throws {
        try await FakeKubernetesAPIServer.with(accounts: [account]) { fake in
            Self.addWorkload(to: fake)
            arrange(fake)
            let dir = try TemporaryDirectory(prefix: prefix)
            defer { dir.remove() }
            let kubeconfig = dir.url.appendingPathComponent("kubeconfig")
            try Self.writeKubeconfig(fake, to: kubeconfig)
            let config = dir.url.appendingPathComponent("surge.yml")
            try ("scaling:\n  policy_files: [\(try policyFiles(dir.url))]\n  kubernetes: {kubeconfig_file: \(kubeconfig.path)}\n" + extraConfig)
                .write(to: config, atomically: true, encoding: .utf8)
            let port = try freeLocalPort()
            let surge = try await SurgeBinary.serve(dataDirectory: dir.url.appendingPathComponent("data").path, port: port,
                                                    logURL: dir.url.appendingPathComponent("surge.log"), configPath: config.path)
            defer { surge.signal(SIGKILL) }
            try await body(Served(fake: fake, surge: surge, port: port, dataDirectory: dir.url.appendingPathComponent("data").path))
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func serveEvaluatesPoliciesAndReportsRBACDenials() async throws {
        try await Self.serving("surge-scaling-serve", policyFiles: { dir in
            let policyDir = dir.appendingPathComponent("scaling")
            try FileManager.default.createDirectory(at: policyDir, withIntermediateDirectories: true)
            try Self.policies.write(to: policyDir.appendingPathComponent("web.yaml"), atomically: true, encoding: .utf8)
            return "\"\(policyDir.path)/*.yaml\""
        }) { served in
            let (fake, surge, base) = (served.fake, served.surge, served.base)
            try await Self.writeMetrics(port: served.port)

            let entries = try await Self.pollDecisions(base) { entries in
                entries.first.flatMap { ($0["decision"] as? [String: Any])?["desiredReplicas"] as? Int } == 4
                    && (entries.last?["failures"] as? Int ?? 0) > 0 && entries.first?["lastAction"] is [String: Any]
            }
            #expect(entries.map { $0["policy"] as? String } == ["web", "billing"], "\(entries)")
            let web = try #require(entries.first?["decision"] as? [String: Any], "\(entries) \(surge.log.suffix(1500))")
            // Three pods from the scale's selector; web-3 reports nothing, so scaling up counts it at 0:
            // (200 + 200 + 0) / 3 = 133 against 100 gives ceil(1.33 x 3) = 4. web-canary-1 is not among
            // the scale selector's pods, so its 1000 does not count.
            #expect(web["currentReplicas"] as? Int == 3 && web["desiredReplicas"] as? Int == 4, "\(web)")
            #expect(entries.first?["applied"] as? Bool == false)
            let billing = try #require(entries.last)
            #expect(billing["decision"] is NSNull)
            #expect((billing["lastError"] as? String ?? "").contains("cannot get resource \"deployments/scale\" in API group \"apps\" in the namespace \"billing\""),
                    "\(billing)")
            #expect(fake.requests.contains { $0.hasPrefix("GET /apis/apps/v1/namespaces/shop/deployments/web/scale -> 200") })
            #expect(fake.requests.contains { $0.hasPrefix("GET /api/v1/namespaces/shop/pods?labelSelector=app%3Dweb") }, "\(fake.requests.suffix(5))")

            let metrics = try await TestHTTP.get("\(base)/metrics").text
            #expect(metrics.contains(#"surge_scaling_desired_replicas{policy="web",namespace="shop",kind="Deployment",target="web"} 4"#), "\(metrics.suffix(2000))")
            #expect(metrics.contains(#"surge_scaling_evaluation_failures_total{policy="billing""#))
            #expect(surge.log.contains("decisions applied through the scale subresource"))
            // This account may not list HorizontalPodAutoscalers: Surge cannot tell whether one
            // scales web, so it leaves web alone and says so.
            #expect((entries.first?["lastAction"] as? [String: Any])?["outcome"] as? String == "refused", "\(entries)")
            #expect(!fake.requests.contains { $0.hasPrefix("PUT /apis/apps/v1/namespaces/shop/deployments/web/scale") })
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func decisionsAndFailingPoliciesReachTheWebhooksAsAlerts() async throws {
        try await WebhookCapture.with { capture, hook in
            let alerting = "  alerts: {at_max_for: 1s}\nexternal_labels: {cluster: lab}\nalerting:\n  webhooks:\n"
                + "    - {name: team, url: \"\(hook)\", group_by: [alertname], group_wait: 1s, group_interval: 1s}\n"
            let atMaximum = Self.policies.replacing("maxReplicas: 10", with: "maxReplicas: 4")
            try await Self.serving("surge-scaling-alerts", extraConfig: alerting, policyFiles: Self.policyFile(atMaximum)) { served in
                try await Self.writeMetrics(port: served.port)
                var bodies: [String] = []
                let deadline = ContinuousClock.now + .seconds(30)
                while ContinuousClock.now < deadline {
                    bodies = capture.bodies
                    let all = bodies.joined()
                    if ["ScalingReplicasChange", "ScalingPolicyFailing", "ScalingAtMaxReplicas"].allSatisfy(all.contains) { break }
                    try await Task.sleep(for: .milliseconds(300))
                }
                let all = bodies.joined()
                // web wants 4 of its 3 replicas (its maximum, for more than the second configured),
                // billing cannot read its workload.
                #expect(all.contains(#""alertname":"ScalingReplicasChange""#) && all.contains(#""desired_replicas":"4""#), "\(bodies)")
                #expect(all.contains("Deployment shop/web: 3 → 4 replicas (decided, not applied)."), "\(bodies)")
                #expect(all.contains(#""alertname":"ScalingAtMaxReplicas""#), "\(bodies)")
                #expect(all.contains(#""alertname":"ScalingPolicyFailing""#) && all.contains("cannot get resource"), "\(bodies)")
                #expect(all.contains(#""cluster":"lab""#))
            }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func decisionsAreAppliedThroughTheScaleSubresourceWithEvents() async throws {
        try await Self.serving("surge-scaling-apply", account: Self.scaler, policyFiles: Self.policyFile(Self.policies)) { served in
            let (fake, base) = (served.fake, served.base)
            try await Self.writeMetrics(port: served.port)
            let entries = try await Self.pollDecisions(base) { entries in
                (entries.first?["lastAction"] as? [String: Any])?["outcome"] as? String == "applied"
            }
            let action = try #require(entries.first?["lastAction"] as? [String: Any], "\(entries) \(served.surge.log.suffix(1500))")
            #expect(action["from"] as? Int == 3 && action["to"] as? Int == 4, "\(action)")
            #expect(action["message"] as? String == "New size: 4; reason: pods metric http_requests_per_second above target", "\(action)")
            #expect(entries.first?["applied"] as? Bool == true)
            // The write carried the resourceVersion it was decided on, and the API took it.
            #expect(fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int == 4)
            #expect(fake.requests.contains { $0.hasPrefix("PUT /apis/apps/v1/namespaces/shop/deployments/web/scale -> 200") })
            #expect(fake.requests.contains { $0.hasPrefix("GET /apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers -> 200") })
            // KEDA is not installed: its path is 404, and that is no reason to hold.
            #expect(fake.requests.contains { $0.hasPrefix("GET /apis/keda.sh/v1alpha1/namespaces/shop/scaledobjects -> 404") })
            let events = fake.events(namespace: "shop")
            #expect(events.contains { $0[path: "reason"]?.string == "SuccessfulRescale"
                && $0[path: "message"]?.string == "New size: 4; reason: pods metric http_requests_per_second above target"
                && $0[path: "involvedObject.name"]?.string == "web" && $0[path: "type"]?.string == "Normal" }, "\(events)")
            let metrics = try await TestHTTP.get("\(base)/metrics").text
            #expect(metrics.contains(#"surge_scaling_actions_applied_total{policy="web",namespace="shop",kind="Deployment",target="web"} 1"#))
            // The audit trail has the decision and the action, with the request and the API's answer.
            let history = try await SurgeBinary.run(["history", "--data-dir", served.dataDirectory, "--target", "shop/web"])
            #expect(history.status == 0, "\(history.output)")
            #expect(history.output.contains("Deployment shop/web (policy web)"), "\(history.output)")
            #expect(history.output.contains("Normal   SuccessfulRescale"), "\(history.output)")
            #expect(history.output.contains("New size: 4; reason: pods metric http_requests_per_second above target [PUT /apis/apps/v1/namespaces/shop/deployments/web/scale → 200]")
                    || history.output.contains("New size: 4; reason: pods metric http_requests_per_second above target [PUT /apis/apps/v1/namespaces/shop/deployments/web/scale]"),
                    "\(history.output)")
            #expect(history.output.contains("Decision") && history.output.contains("3 → 4 replicas, driven by metrics"), "\(history.output)")
            let json = try await SurgeBinary.run(["history", "--data-dir", served.dataDirectory, "-o", "json"])
            let actions = json.output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .filter { $0["kind"] as? String == "action" && $0["target"] as? String == "web" }
            #expect(actions.first?["outcome"] as? String == "applied" && actions.first?["to"] as? Int == 4, "\(json.output)")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func whenMetricsStopArrivingReplicasAreHeldAndAnAlertFires() async throws {
        try await WebhookCapture.with { capture, hook in
            // A 5 s staleness bound (the query lookback stays 5 m), so metrics go missing 5 s after
            // the last sample.
            let extra = "alerting:\n  webhooks:\n"
                + "    - {name: team, url: \"\(hook)\", group_by: [alertname], group_wait: 1s, group_interval: 1s}\n"
            try await Self.serving("surge-scaling-stale", extraConfig: "  metric_max_age: 5s\n" + extra, account: Self.scaler, policyFiles: Self.policyFile(Self.webPolicy)) { served in
                let (fake, base) = (served.fake, served.base)
                try await Self.writeMetrics(port: served.port, ageMilliseconds: 0)
                _ = try await Self.pollDecisions(base) { _ in fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int == 4 }
                #expect(fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int == 4)
                // No more samples: the metric goes missing; the HPA's rule holds the count, and the
                // policy's failure is an alert.
                let deadline = ContinuousClock.now + .seconds(30)
                while !capture.bodies.joined().contains("ScalingPolicyFailing") && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(300))
                }
                let alert = capture.bodies.joined()
                #expect(alert.contains(#""alertname":"ScalingPolicyFailing""#), "\(capture.bodies) \(served.surge.log.suffix(1500))")
                #expect(alert.contains("FailedGetPodsMetric") || alert.contains("unable to get metric"), "\(alert.suffix(1500))")
                #expect(alert.contains("returned no pods with a sample in the last 5s"), "\(alert.suffix(1500))")
                // The query API still sees the samples through its 5 m lookback: the bound is the policy's.
                let stillThere = try await TestHTTP.get("\(base)/api/v1/query?query=http_requests_per_second").text
                #expect(stillThere.contains("web-1"), "\(stillThere)")
                let entries = try await TestHTTP.get("\(base)/api/v1/scaling/decisions").json()["data"] as? [[String: Any]] ?? []
                let decision = entries.first?["decision"] as? [String: Any] ?? [:]
                #expect(decision["desiredReplicas"] as? Int == 4, "\(decision)")
                // Held, never lowered.
                #expect(fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int == 4)
                #expect(fake.requests.filter { $0.hasPrefix("PUT /apis/apps/v1/namespaces/shop/deployments/web/scale -> 200") }.count == 1)
            }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func anAPIOutageHoldsDecisionsRaisesAnAlertAndAppliesWhenTheAPIReturns() async throws {
        try await WebhookCapture.with { capture, hook in
            let extra = "alerting:\n  webhooks:\n    - {name: team, url: \"\(hook)\", group_by: [alertname], group_wait: 1s, group_interval: 1s}\n"
            try await Self.serving("surge-scaling-outage", extraConfig: extra, account: Self.scaler, policyFiles: Self.policyFile(Self.webPolicy)) { served in
                let (fake, base) = (served.fake, served.base)
                // The API server goes down before the load rises.
                fake.setUnavailable(true)
                let deadline = ContinuousClock.now + .seconds(30)
                while !capture.bodies.joined().contains("ScalingPolicyFailing") && ContinuousClock.now < deadline {
                    try await Self.writeMetrics(port: served.port)
                    try await Task.sleep(for: .milliseconds(300))
                }
                #expect(capture.bodies.joined().contains("503"), "\(capture.bodies)")
                #expect(fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int == 3)
                // Back: the next sync reads, decides and applies what the load asks; nothing was lost.
                fake.setUnavailable(false)
                _ = try await Self.pollDecisions(base) { entries in
                    (entries.first?["lastAction"] as? [String: Any])?["outcome"] as? String == "applied"
                }
                #expect(fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int == 4)
                // The outage is in the audit trail, and the alert resolves.
                let history = try await SurgeBinary.run(["history", "--data-dir", served.dataDirectory, "--all", "-o", "json"])
                #expect(history.output.contains(#""outcome":"applied""#), "\(history.output.suffix(1500))")
                #expect(history.output.contains("held: cannot read the workload") && history.output.contains("503"), "\(history.output.suffix(1500))")
                let resolved = ContinuousClock.now + .seconds(20)
                while !capture.bodies.contains(where: { $0.contains("ScalingPolicyFailing") && $0.contains(#""status":"resolved""#) })
                        && ContinuousClock.now < resolved {
                    try await Task.sleep(for: .milliseconds(300))
                }
                #expect(capture.bodies.contains { $0.contains("ScalingPolicyFailing") && $0.contains(#""status":"resolved""#) }, "\(capture.bodies.suffix(2))")
            }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aConflictStormEndsWithTheRightCountAndBoundedRetries() async throws {
        try await Self.serving("surge-scaling-storm", account: Self.scaler, policyFiles: Self.policyFile(Self.policies)) { served in
            let (fake, base) = (served.fake, served.base)
            try await Self.writeMetrics(port: served.port)
            // Another writer sets 2 or 3 replicas every 100 ms for 4 s: Surge's writes, decided on
            // what it read, meet 409s and decide again on what is there now.
            let storm = Task {
                for round in 0..<40 {
                    fake.setReplicas(namespace: "shop", name: "web", 2 + round % 2)
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            var maxConflicts = 0
            let stormEnds = ContinuousClock.now + .seconds(4)
            while ContinuousClock.now < stormEnds {
                try await Self.writeMetrics(port: served.port)
                let entries = try await TestHTTP.get("\(base)/api/v1/scaling/decisions").json()["data"] as? [[String: Any]] ?? []
                maxConflicts = max(maxConflicts, (entries.first?["lastAction"] as? [String: Any])?["conflicts"] as? Int ?? 0)
                try await Task.sleep(for: .milliseconds(200))
            }
            try await storm.value
            // The storm is over: at the next syncs Surge sets what the load asks, and nothing undoes it.
            let entries = try await Self.pollDecisions(base) { _ in fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int == 4 }
            #expect(fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int == 4, "\(entries)")
            #expect(maxConflicts <= 3)
            let conflicts = fake.requests.filter { $0.hasPrefix("PUT /apis/apps/v1/namespaces/shop/deployments/web/scale -> 409") }.count
            let accepted = fake.requests.filter { $0.hasPrefix("PUT /apis/apps/v1/namespaces/shop/deployments/web/scale -> 200") }.count
            #expect(accepted >= 1)
            // Every write is preceded by a read of the scale it was decided on: writes are bounded by reads.
            let reads = fake.requests.filter { $0.hasPrefix("GET /apis/apps/v1/namespaces/shop/deployments/web/scale") }.count
            #expect(conflicts + accepted <= reads, "\(conflicts) conflicts, \(accepted) accepted, \(reads) reads")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func anHPAOnTheTargetOrADryRunLeavesTheWorkloadAlone() async throws {
        for (dryRun, hpa) in [(false, true), (true, false)] {
            try await Self.serving("surge-scaling-hold", account: Self.scaler, policyFiles: { dir in
                let file = dir.appendingPathComponent("web.yaml")
                try Self.policies.replacing("interval: 1s\n", with: "interval: 1s\n    dryRun: \(dryRun)\n")
                    .write(to: file, atomically: true, encoding: .utf8)
                return "\"\(file.path)\""
            }) { served in
                let (fake, base) = (served.fake, served.base)
                if hpa { fake.addHorizontalPodAutoscaler(namespace: "shop", name: "web", target: "web") }
                try await Self.writeMetrics(port: served.port)
                let entries = try await Self.pollDecisions(base) { entries in (entries.first?["lastAction"] as? [String: Any]) != nil }
                let action = try #require(entries.first?["lastAction"] as? [String: Any], "\(entries)")
                if hpa {
                    #expect(action["outcome"] as? String == "refused", "\(action)")
                    #expect((action["message"] as? String ?? "").hasPrefix("HorizontalPodAutoscaler shop/web already scales Deployment shop/web"), "\(action)")
                } else {
                    #expect(action["outcome"] as? String == "dryRun", "\(action)")
                }
                #expect(!fake.requests.contains { $0.hasPrefix("PUT /apis/apps/v1/namespaces/shop/deployments/web/scale") }, "\(fake.requests)")
                #expect(fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int == 3)
            }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func ofTwoReplicasOnlyTheLeaseHolderWritesAndTheOtherTakesOverAfterSIGKILL() async throws {
        let account = FakeKubernetesAccount(token: Self.scaler.token, user: Self.scaler.user, rules: Self.scaler.rules + [
            FakeKubernetesRule(verbs: ["get", "create", "update"], apiGroups: ["coordination.k8s.io"], resources: ["leases"], namespaces: ["surge"]),
        ])
        try await FakeKubernetesAPIServer.with(accounts: [account]) { fake in
            Self.addWorkload(to: fake)
            let dir = try TemporaryDirectory(prefix: "surge-leader")
            defer { dir.remove() }
            try Self.writeKubeconfig(fake, to: dir.url.appendingPathComponent("kubeconfig"))
            try Self.policies.write(to: dir.url.appendingPathComponent("web.yaml"), atomically: true, encoding: .utf8)
            var replicas: [(name: String, process: ChildProcess, port: Int)] = []
            defer { for replica in replicas { replica.process.signal(SIGKILL) } }
            for name in ["a", "b"] {
                try """
                    scaling:
                      policy_files: [web.yaml]
                      kubernetes: {kubeconfig_file: \(dir.path)/kubeconfig}
                      leader_election: {namespace: surge, lease: surge-scaling, identity: \(name)}
                    """.write(toFile: dir.path + "/\(name).yml", atomically: true, encoding: .utf8)
                let port = try freeLocalPort()
                let process = try await SurgeBinary.serve(dataDirectory: dir.path + "/data-\(name)", port: port,
                                                          logURL: dir.url.appendingPathComponent("\(name).log"), configPath: dir.path + "/\(name).yml")
                replicas.append((name, process, port))
            }
            func outcome(_ port: Int) async throws -> String? {
                let entries = try await TestHTTP.get("http://127.0.0.1:\(port)/api/v1/scaling/decisions").json()["data"] as? [[String: Any]] ?? []
                return (entries.first?["lastAction"] as? [String: Any])?["outcome"] as? String
            }
            // Both see the same load; exactly one writes, the other says it is not the leader.
            var outcomes: [String?] = [nil, nil]
            let deadline = ContinuousClock.now + .seconds(30)
            while Set(outcomes.compactMap { $0 }) != ["applied", "notLeader"] && ContinuousClock.now < deadline {
                for replica in replicas { try await Self.writeMetrics(port: replica.port) }
                try await Task.sleep(for: .milliseconds(500))
                outcomes = [try await outcome(replicas[0].port), try await outcome(replicas[1].port)]
            }
            #expect(Set(outcomes.compactMap { $0 }) == ["applied", "notLeader"], "\(outcomes) \(replicas[0].process.log.suffix(800)) \(replicas[1].process.log.suffix(800))")
            let leaderIndex = outcomes[0] == "applied" ? 0 : 1
            let follower = replicas[1 - leaderIndex]
            #expect(fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int == 4)
            let writes = fake.requests.filter { $0.hasPrefix("PUT /apis/apps/v1/namespaces/shop/deployments/web/scale") }.count
            #expect(writes == 1, "\(fake.requests.filter { $0.contains("/scale") })")

            // The leader is killed without a word: its Lease runs out and the follower takes it
            // within the lease duration (15 s) and a retry period, then applies what the load asks.
            replicas[leaderIndex].process.signal(SIGKILL)
            let killed = ContinuousClock.now
            fake.setReplicas(namespace: "shop", name: "web", 3)
            var taken = false
            while !taken && ContinuousClock.now < killed + .seconds(40) {
                try await Self.writeMetrics(port: follower.port)
                try await Task.sleep(for: .milliseconds(500))
                taken = try await outcome(follower.port) == "applied"
            }
            let elapsed = ContinuousClock.now - killed
            #expect(taken, "\(follower.process.log.suffix(1500))")
            #expect(elapsed < .seconds(20), "took \(elapsed)")
            #expect(follower.process.log.contains("became the leader"))
            #expect(fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int == 4)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func decideReadsTheWorkloadFromKubernetes() async throws {
        try await FakeKubernetesAPIServer.with(accounts: [Self.reader]) { fake in
            Self.addWorkload(to: fake)
            let dir = try TemporaryDirectory(prefix: "surge-decide-k8s")
            defer { dir.remove() }
            let kubeconfig = dir.url.appendingPathComponent("kubeconfig")
            try Self.writeKubeconfig(fake, to: kubeconfig)
            let policy = dir.url.appendingPathComponent("web.yaml")
            try Self.policies.write(to: policy, atomically: true, encoding: .utf8)
            let port = try freeLocalPort()
            let surge = try await SurgeBinary.serve(dataDirectory: dir.url.appendingPathComponent("data").path, port: port,
                                                    logURL: dir.url.appendingPathComponent("surge.log"))
            defer { surge.signal(SIGKILL) }
            try await Self.writeMetrics(port: port)
            let url = "http://127.0.0.1:\(port)"
            let live = try await SurgeBinary.run(["decide", "--policy", policy.path, "--name", "web", "--prometheus-url", url,
                                                  "--kubeconfig", kubeconfig.path, "-o", "json"])
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(live.output.utf8)) as? [String: Any], "\(live.output)")
            #expect(answer["currentReplicas"] as? Int == 3 && answer["desiredReplicas"] as? Int == 4, "\(live.output)")

            let denied = try await SurgeBinary.run(["decide", "--policy", policy.path, "--name", "billing", "--prometheus-url", url,
                                                    "--kubeconfig", kubeconfig.path])
            #expect(denied.status != 0 && denied.output.contains("cannot read Deployment billing/worker from Kubernetes")
                    && denied.output.contains("forbidden"), "\(denied.output)")
        }
    }

    @Test func serveRefusesABadPolicyFileWithItsLine() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-scaling-bad")
        defer { dir.remove() }
        let policy = dir.url.appendingPathComponent("web.yaml")
        try "policies:\n  - name: web\n    target: {kind: Deployment, name: web}\n    maxReplicas: 0\n    metrics: []\n"
            .write(to: policy, atomically: true, encoding: .utf8)
        let config = dir.url.appendingPathComponent("surge.yml")
        try "scaling:\n  policy_files: [\(policy.path)]\n  kubernetes: {api_server: \"http://127.0.0.1:1\"}\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let run = try await SurgeBinary.run(["serve", "--no-collect", "--config", config.path, "--data-dir", dir.url.appendingPathComponent("data").path,
                                             "--listen", "127.0.0.1:\(try freeLocalPort())"])
        #expect(run.status != 0 && run.output.contains("\(policy.path):4: maxReplicas must be an integer of at least 1"), "\(run.output)")
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("data").path))
    }

    /// The decisions API's entries, polled until `done` holds or 30 s pass.
    static func pollDecisions(_ base: String, until done: ([[String: Any]]) -> Bool) async throws -> [[String: Any]] {
        var entries: [[String: Any]] = []
        let deadline = ContinuousClock.now + .seconds(30)
        repeat {
            try await Task.sleep(for: .milliseconds(300))
            entries = try await TestHTTP.get("\(base)/api/v1/scaling/decisions").json()["data"] as? [[String: Any]] ?? []
        } while !done(entries) && ContinuousClock.now < deadline
        return entries
    }

    @Test(.timeLimit(.minutes(2)))
    func sighupReloadsPoliciesAndKeepsThemWhenTheFilesAreBroken() async throws {
        var policyURL: URL?
        func writePolicy(maxReplicas: Int) throws {
            try """
                policies:
                  - name: web
                    target: {kind: Deployment, namespace: shop, name: web}
                    maxReplicas: \(maxReplicas)
                    interval: 1s
                    metrics:
                      - type: Pods
                        pods: {metric: {name: http_requests_per_second}, target: {type: AverageValue, averageValue: "100"}}
                """.write(to: policyURL!, atomically: true, encoding: .utf8)
        }
        try await Self.serving("surge-scaling-reload", policyFiles: { dir in
            policyURL = dir.appendingPathComponent("web.yaml")
            try writePolicy(maxReplicas: 10)
            return policyURL!.path
        }) { served in
            let (surge, base, policy) = (served.surge, served.base, policyURL!)
            try await Self.writeMetrics(port: served.port)
            func desired(_ entries: [[String: Any]]) -> Int? {
                (entries.first?["decision"] as? [String: Any])?["desiredReplicas"] as? Int
            }
            var entries = try await Self.pollDecisions(base) { desired($0) == 4 }
            #expect(desired(entries) == 4, "\(entries)")

            // A file that no longer loads: the running policy stays and keeps deciding.
            try "policies: [\n".write(to: policy, atomically: true, encoding: .utf8)
            surge.signal(SIGHUP)
            try await Task.sleep(for: .seconds(1))
            let before = entries.first?["evaluations"] as? Int ?? 0
            entries = try await Self.pollDecisions(base) { ($0.first?["evaluations"] as? Int ?? 0) > before + 1 }
            #expect(desired(entries) == 4 && (entries.first?["evaluations"] as? Int ?? 0) > before + 1, "\(entries)")
            #expect(surge.log.contains("scaling policies not reloaded; the running ones stay"))

            // A changed policy replaces the running one: at most 3 replicas now.
            try writePolicy(maxReplicas: 3)
            surge.signal(SIGHUP)
            entries = try await Self.pollDecisions(base) { desired($0) == 3 }
            #expect(desired(entries) == 3 && (entries.first?["decision"] as? [String: Any])?["limitedBy"] as? String == "TooManyReplicas", "\(entries)")
            #expect(surge.log.contains("scaling policies reloaded"))
            #expect(surge.isRunning)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aSampleArrivingTriggersADecisionBeforeTheNextSync() async throws {
        try await Self.serving("surge-scaling-arrival", policyFiles: { dir in
            let policy = dir.appendingPathComponent("web.yaml")
            // A sync every 10 minutes: within the test, only arrivals can bring a new decision.
            try Self.policies.replacingOccurrences(of: "interval: 1s", with: "interval: 10m").write(to: policy, atomically: true, encoding: .utf8)
            return policy.path
        }) { served in
            let (fake, base, port) = (served.fake, served.base, served.port)
            func web(_ entries: [[String: Any]]) -> [String: Any]? { entries.first { $0["policy"] as? String == "web" } }
            func desired(_ entries: [[String: Any]]) -> Int? { (web(entries)?["decision"] as? [String: Any])?["desiredReplicas"] as? Int }
            // The first sync finds no samples at all; the samples then arrive and are decided on at once.
            var entries = try await Self.pollDecisions(base) { web($0)?["evaluations"] as? Int ?? 0 >= 1 }
            #expect(web(entries)?["trigger"] as? String == "interval", "\(entries)")
            try await Self.writeMetrics(port: port)
            entries = try await Self.pollDecisions(base) { desired($0) == 4 }
            #expect(desired(entries) == 4 && web(entries)?["trigger"] as? String == "arrival", "\(entries)")

            // Newer, higher samples: ratio (400 + 400 + 0) / 3 / 100 proposes 8, and without behavior
            // the HPA allows max(2 x 3, 4) = 6 per sync. A preview keeps that limit, since it does not
            // enter the history.
            let now = Int64(Date().timeIntervalSince1970) * 1000
            let batch = ["web-1", "web-2"].map { pod in
                RemoteWriteEncoder.WireSeries(labels: Labels(["__name__": "http_requests_per_second", "namespace": "shop", "pod": pod]).pairs,
                                              samples: [Sample(timestamp: now - 500, value: 400)])
            }
            let reply = try await TestHTTP.post("\(base)/api/v1/write", body: RemoteWriteEncoder.encode(batch, version: .v1),
                                                headers: [("Content-Type", RemoteWriteVersion.v1ContentType), ("Content-Encoding", "snappy")])
            #expect(reply.status == 204)
            entries = try await Self.pollDecisions(base) { desired($0) == 6 }
            let decision = try #require(web(entries)?["decision"] as? [String: Any], "\(entries)")
            #expect(decision["desiredReplicas"] as? Int == 6 && decision["limitedBy"] as? String == "ScaleUpLimit", "\(decision)")
            #expect(web(entries)?["trigger"] as? String == "arrival")
            // Only the first sync read the workload: arrivals decide on the workload as last read.
            #expect(fake.requests.filter { $0.hasPrefix("GET /apis/apps/v1/namespaces/shop/deployments/web/scale") }.count == 1, "\(fake.requests)")
        }
    }
}
