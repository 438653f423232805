import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore
import WireFormat

/// Forwarding into Debian's VictoriaMetrics: every sample arrives, in order, across the receiver
/// being away for more than a minute while samples keep arriving and the forwarding Surge is killed.
@Suite(.serialized) struct ForwardingIntoVictoriaMetricsTests {
    @Test(.timeLimit(.minutes(4)))
    func everySampleArrivesAcrossAnOutageOfMoreThanAMinute() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-forward-vm")
        defer { dir.remove() }
        let port = try freeLocalPort()
        try await RemoteWriteForwardingTests.acrossAnOutage("vm", dir: dir, port: port, readyPath: "/health", stopSignal: SIGTERM,
                                                            pause: .seconds(30), maxBackoff: "2s") {
            try startVictoriaMetrics(port: port, directory: dir)
        }
    }
}

/// Rules and a scaling policy reading VictoriaMetrics through `query_source` decide as they do on
/// the embedded store holding the same samples; when the source goes away, the policy holds and the
/// rules report the failure.
@Suite(.serialized) struct QuerySourceTests {
    static let rules = """
        groups:
          - name: shop
            interval: 1s
            rules:
              - record: namespace:http_requests_per_second:sum
                expr: sum by (namespace) (http_requests_per_second)
              - record: pod:http_requests_per_second:max
                expr: max by (pod) (http_requests_per_second{pod=~"web-.*"})
              - alert: ManyRequests
                expr: sum by (namespace) (http_requests_per_second) > 1000
                labels: {severity: page}
        """

    /// What a server's recording rules wrote, as label sets and values.
    static func recorded(_ base: String) async throws -> [[String: String]: String] {
        var out: [[String: String]: String] = [:]
        for name in ["namespace:http_requests_per_second:sum", "pod:http_requests_per_second:max"] {
            out.merge(try await instantResult(base, name, time: "\(Date().timeIntervalSince1970)")) { $1 }
        }
        return out
    }

    @Test(.timeLimit(.minutes(3)))
    func rulesAndAPolicyReadingVictoriaMetricsMatchTheEmbeddedStore() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-query-source")
        defer { dir.remove() }
        let vmPort = try freeLocalPort()
        let vmURL = "http://127.0.0.1:\(vmPort)"
        let vm = try startVictoriaMetrics(port: vmPort, directory: dir)
        defer { vm.signal(SIGKILL) }
        try await TestHTTP.waitUntilReady(vmURL + "/health", process: vm)
        let rulesFile = dir.url.appendingPathComponent("shop.rules.yml")
        try Self.rules.write(to: rulesFile, atomically: true, encoding: .utf8)
        let policy = ScalingServeTests.policyFile(ScalingServeTests.webPolicy)
        try await ScalingServeTests.serving("surge-source-embedded", extraConfig: "rule_files: [\"\(rulesFile.path)\"]\n", policyFiles: policy) { embedded in
            let sourced = "rule_files: [\"\(rulesFile.path)\"]\nquery_source: {url: \"\(vmURL)\", timeout: 2s}\n"
            try await ScalingServeTests.serving("surge-source-vm", extraConfig: sourced, policyFiles: policy) { remote in
                #expect(remote.surge.log.contains("rules and scaling policies read metrics from the query source"))
                // The same samples in the embedded store of one and in VictoriaMetrics; the other
                // Surge stores none of them.
                try await ScalingServeTests.writeMetrics(port: embedded.port)
                try await ScalingServeTests.writeMetrics(port: vmPort)
                func desired(_ entries: [[String: Any]]) -> Int? { (entries.first?["decision"] as? [String: Any])?["desiredReplicas"] as? Int }
                let fromEmbedded = try await ScalingServeTests.pollDecisions(embedded.base) { desired($0) == 4 }
                let fromVM = try await ScalingServeTests.pollDecisions(remote.base) { desired($0) == 4 }
                #expect(desired(fromEmbedded) == 4 && desired(fromVM) == 4, "\(fromVM)\n\(remote.surge.log.suffix(1500))")
                let embeddedDecision = try #require(fromEmbedded.first?["decision"] as? [String: Any])
                let vmDecision = try #require(fromVM.first?["decision"] as? [String: Any], "\(fromVM)")
                for key in ["currentReplicas", "desiredReplicas"] {
                    #expect(embeddedDecision[key] as? Int == vmDecision[key] as? Int, "\(key): \(embeddedDecision) vs \(vmDecision)")
                }
                #expect("\(embeddedDecision["metrics"] ?? "")" == "\(vmDecision["metrics"] ?? "")", "\(embeddedDecision) vs \(vmDecision)")

                var (mine, theirs): ([[String: String]: String], [[String: String]: String]) = ([:], [:])
                let deadline = ContinuousClock.now + .seconds(20)
                repeat {
                    try await Task.sleep(for: .milliseconds(300))
                    (mine, theirs) = (try await Self.recorded(embedded.base), try await Self.recorded(remote.base))
                } while (mine.count < 4 || mine != theirs) && ContinuousClock.now < deadline
                // The namespace's sum, and the maximum of web-1, web-2 and web-canary-1.
                #expect(mine.count == 4 && mine == theirs, "embedded \(mine) vs VictoriaMetrics \(theirs)")
                #expect(mine[["__name__": "namespace:http_requests_per_second:sum", "namespace": "shop"]] == "1900")
                // 1900 is above 1000 on both: the same alert, with the same labels and value.
                func alerts(_ base: String) async throws -> [String] {
                    let data = try await TestHTTP.get(base + "/api/v1/alerts").json()["data"] as? [String: Any]
                    return (data?["alerts"] as? [[String: Any]] ?? []).map { alert in
                        let labels = (alert["labels"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                        return "\(labels.joined(separator: ",")) \(alert["value"] ?? "")"
                    }
                }
                let (embeddedAlerts, vmAlerts) = (try await alerts(embedded.base), try await alerts(remote.base))
                #expect(embeddedAlerts.count == 1 && embeddedAlerts == vmAlerts, "\(embeddedAlerts) vs \(vmAlerts)")

                // The source goes away: the policy's metric is missing, so replicas are held; the
                // rules' evaluations fail and say why.
                vm.signal(SIGKILL)
                var rules = ""
                var entries: [[String: Any]] = []
                let until = ContinuousClock.now + .seconds(20)
                repeat {
                    try await Task.sleep(for: .milliseconds(300))
                    rules = try await TestHTTP.get(remote.base + "/api/v1/rules").text
                    entries = try await TestHTTP.get(remote.base + "/api/v1/scaling/decisions").json()["data"] as? [[String: Any]] ?? []
                } while !(rules.contains(#""health":"err""#) && "\(entries)".contains("unable to get metric")) && ContinuousClock.now < until
                #expect(rules.contains(#""health":"err""#) && rules.contains("cannot reach"), "\(rules)")
                #expect("\(entries)".contains("unable to get metric"), "\(entries)")
                #expect(!remote.fake.requests.contains { $0.hasPrefix("PUT ") }, "nothing is changed on missing data")
            }
        }
    }
}

/// Two agents (`surge serve --agent` with the built-in collectors) and one central server on
/// 127.0.0.1: the agents' node series are queryable centrally under their node names, a policy
/// decides on them, and the agents keep nothing queryable.
@Suite(.serialized) struct AgentTopologyTests {
    static let policy = """
        policies:
          - name: web
            target: {kind: Deployment, namespace: shop, name: web}
            maxReplicas: 10
            interval: 1s
            metrics:
              - type: PromQL
                promql: {query: "count(node_uname_info{job=\\"node-exporter\\"})", target: {type: AverageValue, averageValue: "0.5"}}
        """

    @Test(.timeLimit(.minutes(3)))
    func twoAgentsFeedACentralServerThatDecidesOnTheirSeries() async throws {
        try await ScalingServeTests.serving("surge-central", policyFiles: ScalingServeTests.policyFile(Self.policy)) { central in
            let dir = try TemporaryDirectory(prefix: "surge-agents")
            defer { dir.remove() }
            var agents: [(ChildProcess, Int)] = []
            defer { for (agent, _) in agents { agent.signal(SIGKILL) } }
            for index in 1...2 {
                let port = try freeLocalPort()
                let config = dir.url.appendingPathComponent("agent-\(index).yml")
                try """
                    collectors: {interval: 1s, cgroups: false, node_name: worker-\(index)}
                    remote_write:
                      - {url: "\(central.base)/api/v1/write", name: central, queue_config: {batch_send_deadline: 200ms}}
                    """.write(to: config, atomically: true, encoding: .utf8)
                agents.append((try await SurgeBinary.serve(dataDirectory: dir.path + "/agent-\(index)", port: port,
                                                            logURL: dir.url.appendingPathComponent("agent-\(index).log"),
                                                            configPath: config.path, collect: true, arguments: ["--agent"]), port))
            }
            var instances: Set<String> = []
            let deadline = ContinuousClock.now + .seconds(30)
            repeat {
                try await Task.sleep(for: .milliseconds(300))
                let result = try await instantResult(central.base, #"count by (instance, job) (node_uname_info)"#, time: "\(Date().timeIntervalSince1970)")
                instances = Set(result.keys.filter { $0["job"] == "node-exporter" }.compactMap { $0["instance"] })
            } while instances.count < 2 && ContinuousClock.now < deadline
            #expect(instances == ["worker-1", "worker-2"], "\(agents.first?.0.log.suffix(1500) ?? "")")
            // Container-style series too: the agents' own up series per collector job.
            let up = try await instantResult(central.base, #"up{job="node-exporter"}"#, time: "\(Date().timeIntervalSince1970)")
            #expect(Set(up.keys.compactMap { $0["instance"] }) == ["worker-1", "worker-2"] && Set(up.values) == ["1"], "\(up)")

            // Two nodes against 0.5 per replica: 4 replicas of the 3.
            let entries = try await ScalingServeTests.pollDecisions(central.base) {
                ($0.first?["decision"] as? [String: Any])?["desiredReplicas"] as? Int == 4
            }
            #expect((entries.first?["decision"] as? [String: Any])?["desiredReplicas"] as? Int == 4, "\(entries)\n\(central.surge.log.suffix(1500))")

            for (agent, port) in agents {
                let query = try await TestHTTP.get("http://127.0.0.1:\(port)/api/v1/query?query=up")
                #expect(query.status == 422 && query.text.contains("unavailable in agent mode"), "\(query.status) \(query.text)")
                let federate = try await TestHTTP.get("http://127.0.0.1:\(port)/federate?match[]=up")
                #expect(federate.status == 422)
                let metrics = try await TestHTTP.get("http://127.0.0.1:\(port)/metrics").text
                #expect(!metrics.contains(#"surge_remote_storage_samples_sent_total{remote_name="central",url="\#(central.base)/api/v1/write"} 0"#), "\(metrics.suffix(1500))")
                #expect(agent.log.contains("agent mode"))
                // The collectors' own endpoints still answer, for a Prometheus that scrapes the node.
                let node = try await TestHTTP.get("http://127.0.0.1:\(port)/metrics/node")
                #expect(node.status == 200 && node.text.contains("node_uname_info"))
            }
        }
    }

    @Test func agentModeRefusesWhatNeedsAStoreOrActs() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-agent-refusals")
        defer { dir.remove() }
        let config = dir.url.appendingPathComponent("agent.yml")
        try "rule_files: [\"\(dir.path)/none.yml\"]\nremote_write: [{url: \"http://127.0.0.1:1/api/v1/write\"}]\n".write(to: config, atomically: true, encoding: .utf8)
        let refused = try await SurgeBinary.run(["serve", "--agent", "--no-collect", "--data-dir", dir.path + "/data", "--listen", "127.0.0.1:0", "--config", config.path])
        #expect(refused.status != 0 && refused.output.contains("rule_files is not allowed in agent mode"), "\(refused.output)")
        let alone = try await SurgeBinary.run(["serve", "--agent", "--no-collect", "--data-dir", dir.path + "/data", "--listen", "127.0.0.1:0"])
        #expect(alone.status != 0 && alone.output.contains("give at least one remote_write receiver"), "\(alone.output)")
    }
}

/// The central pair: two agents write to both central servers; both evaluate the same rules, and
/// Alertmanager (Debian's) deduplicates their alerts by labels; only the holder of the Lease
/// changes the workload.
@Suite(.serialized) struct CentralPairTests {
    @Test(.timeLimit(.minutes(3)))
    func bothCentralsIngestAndAlertOnlyTheLeaseHolderActs() async throws {
        guard let binary = which("prometheus-alertmanager") ?? which("alertmanager") else {
            throw TestKitError("Alertmanager is not installed; scripts/install-deps installs Debian's prometheus-alertmanager")
        }
        let account = FakeKubernetesAccount(token: ScalingServeTests.scaler.token, user: ScalingServeTests.scaler.user, rules: ScalingServeTests.scaler.rules + [
            FakeKubernetesRule(verbs: ["get", "create", "update"], apiGroups: ["coordination.k8s.io"], resources: ["leases"], namespaces: ["surge"]),
        ])
        try await FakeKubernetesAPIServer.with(accounts: [account]) { fake in
            ScalingServeTests.addWorkload(to: fake)
            let dir = try TemporaryDirectory(prefix: "surge-central-pair")
            defer { dir.remove() }
            var processes: [ChildProcess] = []
            defer { for process in processes { process.signal(SIGKILL) } }
            let amPort = try freeLocalPort()
            try "route: {receiver: none, group_by: [alertname], group_wait: 1s, group_interval: 1s}\nreceivers: [{name: none}]\n"
                .write(toFile: dir.path + "/alertmanager.yml", atomically: true, encoding: .utf8)
            let alertmanager = try ChildProcess(executable: binary, arguments: [
                "--config.file=\(dir.path)/alertmanager.yml", "--storage.path=\(dir.path)/am", "--web.listen-address=127.0.0.1:\(amPort)", "--cluster.listen-address=",
            ], logURL: dir.url.appendingPathComponent("alertmanager.log"))
            processes.append(alertmanager)
            try await TestHTTP.waitUntilReady("http://127.0.0.1:\(amPort)/-/ready", process: alertmanager)

            try ScalingServeTests.writeKubeconfig(fake, to: dir.url.appendingPathComponent("kubeconfig"))
            try AgentTopologyTests.policy.write(toFile: dir.path + "/web.yaml", atomically: true, encoding: .utf8)
            try "groups:\n  - name: nodes\n    interval: 1s\n    rules:\n      - alert: NodeReporting\n        expr: node_uname_info{job=\"node-exporter\"} > 0\n        labels: {severity: info}\n"
                .write(toFile: dir.path + "/nodes.rules.yml", atomically: true, encoding: .utf8)
            var centrals: [Int] = []
            for name in ["a", "b"] {
                try """
                    external_labels: {cluster: lab}
                    rule_files: [nodes.rules.yml]
                    alerting:
                      alertmanagers: [{static_configs: [{targets: ["127.0.0.1:\(amPort)"]}]}]
                    scaling:
                      policy_files: [web.yaml]
                      kubernetes: {kubeconfig_file: \(dir.path)/kubeconfig}
                      leader_election: {namespace: surge, lease: surge-scaling, identity: central-\(name)}
                    """.write(toFile: dir.path + "/central-\(name).yml", atomically: true, encoding: .utf8)
                let port = try freeLocalPort()
                processes.append(try await SurgeBinary.serve(dataDirectory: dir.path + "/central-\(name)", port: port,
                                                             logURL: dir.url.appendingPathComponent("central-\(name).log"), configPath: dir.path + "/central-\(name).yml"))
                centrals.append(port)
            }
            for index in 1...2 {
                let receivers = centrals.enumerated().map { "  - {url: \"http://127.0.0.1:\($0.element)/api/v1/write\", name: central-\($0.offset), queue_config: {batch_send_deadline: 200ms}}" }
                try (["collectors: {interval: 1s, cgroups: false, node_name: worker-\(index)}", "remote_write:"] + receivers).joined(separator: "\n")
                    .write(toFile: dir.path + "/agent-\(index).yml", atomically: true, encoding: .utf8)
                processes.append(try await SurgeBinary.serve(dataDirectory: dir.path + "/agent-\(index)", port: try freeLocalPort(),
                                                             logURL: dir.url.appendingPathComponent("agent-\(index).log"),
                                                             configPath: dir.path + "/agent-\(index).yml", collect: true, arguments: ["--agent"]))
            }
            // Both centrals hold both nodes' series.
            for port in centrals {
                let seen = try await pollQuery("http://127.0.0.1:\(port)", #"count by (instance) (node_uname_info{job="node-exporter"})"#) { $0.count == 2 }
                #expect(Set(seen.keys.compactMap { $0["instance"] }) == ["worker-1", "worker-2"], "\(seen)")
            }
            // Each central fires NodeReporting for each node; Alertmanager holds one alert per node.
            var alerts: [[String: Any]] = []
            let deadline = ContinuousClock.now + .seconds(30)
            repeat {
                try await Task.sleep(for: .milliseconds(500))
                alerts = (try? JSONSerialization.jsonObject(with: Data(try await TestHTTP.get("http://127.0.0.1:\(amPort)/api/v2/alerts").text.utf8)) as? [[String: Any]]) ?? []
            } while alerts.count < 2 && ContinuousClock.now < deadline
            let instances = alerts.compactMap { ($0["labels"] as? [String: String])?["instance"] }.sorted()
            #expect(instances == ["worker-1", "worker-2"], "\(alerts)\n\(alertmanager.log.suffix(1000))")
            for port in centrals {
                let firing = try await TestHTTP.get("http://127.0.0.1:\(port)/api/v1/alerts").text
                #expect(firing.components(separatedBy: #""alertname":"NodeReporting""#).count - 1 == 2, "each central evaluates the rules: \(firing)")
            }
            // Both decide 4 replicas for the two nodes; one applies, the other is not the leader.
            var outcomes: [String] = []
            let until = ContinuousClock.now + .seconds(30)
            repeat {
                try await Task.sleep(for: .milliseconds(500))
                outcomes = []
                for port in centrals {
                    let entries = try await TestHTTP.get("http://127.0.0.1:\(port)/api/v1/scaling/decisions").json()["data"] as? [[String: Any]] ?? []
                    outcomes.append((entries.first?["lastAction"] as? [String: Any])?["outcome"] as? String ?? "none")
                }
            } while Set(outcomes) != ["applied", "notLeader"] && ContinuousClock.now < until
            #expect(Set(outcomes) == ["applied", "notLeader"], "\(outcomes)")
            #expect(fake.requests.filter { $0.hasPrefix("PUT /apis/apps/v1/namespaces/shop/deployments/web/scale") }.count == 1)
            #expect(fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int == 4)
        }
    }
}
