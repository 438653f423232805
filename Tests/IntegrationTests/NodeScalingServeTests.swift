import Foundation
import SurgeTestKit
import Testing

/// `surge serve` with a Cluster API node group beside the strict fake API server: pods that stay
/// unschedulable get their nodes, the decision and the provider's answer land in the audit trail,
/// and a dry run only says what it would do.
@Suite(.serialized) struct NodeScalingServeTests {
    static let machineDeployments = FakeResource(group: "cluster.x-k8s.io", version: "v1beta1", plural: "machinedeployments",
                                                 kind: "MachineDeployment", scalable: true)
    static let account = FakeKubernetesAccount(token: "scaling-token", user: "system:serviceaccount:surge:surge", rules: [
        FakeKubernetesRule(verbs: ["list"], resources: ["pods", "nodes"]),
        FakeKubernetesRule(verbs: ["get"], apiGroups: ["cluster.x-k8s.io"], resources: ["machinedeployments"], namespaces: ["capi"]),
        FakeKubernetesRule(verbs: ["get", "patch"], apiGroups: ["cluster.x-k8s.io"], resources: ["machinedeployments/scale"], namespaces: ["capi"]),
    ])

    static func node(_ name: String) -> JSONValue {
        ["metadata": ["name": .string(name), "labels": ["pool": "workers"]],
         "status": ["allocatable": ["cpu": "4", "memory": "16Gi", "pods": "110"], "conditions": [["type": "Ready", "status": "True"]]]]
    }

    /// Ten pods of one core each that the scheduler could not place a minute ago.
    static func addUnschedulablePods(to fake: FakeKubernetesAPIServer) {
        let since = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))
        for index in 1...10 {
            var pod = FakeKubernetesAPIServer.pod(name: "batch-\(index)", namespace: "jobs", phase: "Pending",
                                                  containers: [["name": "work", "resources": ["requests": ["cpu": "1", "memory": "1Gi"]]]])
            pod["spec"]?["nodeName"] = nil
            pod["status"] = ["phase": "Pending", "conditions": [["type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                                                   "lastTransitionTime": .string(since)]]]
            fake.addPod(pod)
        }
    }

    /// Runs `surge serve` in a fresh directory on the configuration `config` writes there (given
    /// the path of a kubeconfig that reaches `fake`, and the directory), until `body` returns.
    static func serving(_ fake: FakeKubernetesAPIServer, prefix: String, config: (_ kubeconfig: String, _ directory: String) throws -> String,
                        _ body: (ChildProcess, TemporaryDirectory) async throws -> Void) async throws {
        let dir = try TemporaryDirectory(prefix: prefix)
        defer { dir.remove() }
        let kubeconfig = dir.url.appendingPathComponent("kubeconfig")
        try ScalingServeTests.writeKubeconfig(fake, to: kubeconfig)
        try config(kubeconfig.path, dir.path).write(to: dir.url.appendingPathComponent("surge.yml"), atomically: true, encoding: .utf8)
        let port = try freeLocalPort()
        let surge = try await SurgeBinary.serve(dataDirectory: dir.path + "/data", port: port, logURL: dir.url.appendingPathComponent("surge.log"),
                                                configPath: dir.path + "/surge.yml")
        defer { surge.signal(SIGKILL) }
        try await body(surge, dir)
    }

    static func serve(dryRun: Bool, _ body: (FakeKubernetesAPIServer, ChildProcess, String) async throws -> Void) async throws {
        try await FakeKubernetesAPIServer.with(accounts: [Self.account]) { fake in
            fake.installCustomResource(Self.machineDeployments)
            fake.add("machinedeployments", namespace: "capi", [
                "metadata": ["name": "workers", "annotations": ["cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size": "5"]],
                "spec": ["replicas": 1],
            ])
            fake.add("nodes", Self.node("worker-1"))
            Self.addUnschedulablePods(to: fake)
            try await Self.serving(fake, prefix: "surge-nodes", config: { kubeconfig, _ in
                """
                nodes:
                  dry_run: \(dryRun)
                  scan_interval: 1s
                  kubernetes: {kubeconfig_file: \(kubeconfig)}
                  groups:
                    - name: workers
                      cluster_api: {namespace: capi, name: workers}
                      boot_time: 3m
                      template: {cpu: "4", memory: 16Gi, pods: 110, labels: {pool: workers}}
                """
            }) { surge, dir in
                try await body(fake, surge, dir.path + "/data/audit/scaling.jsonl")
            }
        }
    }

    static func waitFor(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        #expect(condition(), "\(what)")
    }

    @Test(.timeLimit(.minutes(2)))
    func unschedulablePodsGrowTheClusterAPIGroup() async throws {
        try await Self.serve(dryRun: false) { fake, surge, auditPath in
            func replicas() -> Int? { fake.object(Self.machineDeployments, namespace: "capi", name: "workers")?[path: "spec.replicas"]?.int }
            // Ten one-core pods on nodes of four cores: three more nodes.
            try await Self.waitFor("the group grows to 4: \(surge.log.suffix(1500))") { replicas() == 4 }
            let audit = (try? String(contentsOfFile: auditPath, encoding: .utf8)) ?? ""
            #expect(audit.contains(#""desiredReplicas":4"#) && audit.contains(#""targetKind":"NodeGroup""#), "\(audit)")
            #expect(audit.contains(#""outcome":"applied""#) && audit.contains("MachineDeployment capi/workers scale set to 4"), "\(audit)")
            #expect(audit.contains("10 unschedulable pods fit group workers"), "\(audit)")
            // The nodes boot and the scheduler places the pods: nothing more is asked for.
            for index in 2...4 { fake.add("nodes", Self.node("worker-\(index)")) }
            for index in 1...10 { fake.deletePod(namespace: "jobs", name: "batch-\(index)") }
            try await Task.sleep(for: .seconds(3))
            #expect(replicas() == 4)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aDryRunOnlyAuditsWhatItWouldDo() async throws {
        try await Self.serve(dryRun: true) { fake, surge, auditPath in
            try await Self.waitFor("a dry-run entry: \(surge.log.suffix(1500))") {
                ((try? String(contentsOfFile: auditPath, encoding: .utf8)) ?? "").contains(#""outcome":"dryRun""#)
            }
            #expect(fake.object(Self.machineDeployments, namespace: "capi", name: "workers")?[path: "spec.replicas"]?.int == 1)
            // `surge history` shows the group's decision and its dry run.
            let history = try await SurgeBinary.run(["history", "--data-dir", URL(fileURLWithPath: auditPath).deletingLastPathComponent().deletingLastPathComponent().path])
            #expect(history.output.contains("NodeGroup workers") && history.output.contains("1 → 4 nodes, driven by pending pods")
                    && history.output.contains("DryRun"), "\(history.output)")
        }
    }
}

/// A scale-up known ahead (a schedule window within the group's boot time) gets its nodes from
/// Magnum before its pods exist.
@Suite(.serialized) struct NodeScalingAheadTests {
    @Test(.timeLimit(.minutes(2)))
    func aScheduleWindowWithinABootGetsMagnumNodesBeforeItsPods() async throws {
        let account = FakeKubernetesAccount(token: "scaling-token", user: "system:serviceaccount:surge:surge", rules: ScalingServeTests.reader.rules + [
            FakeKubernetesRule(verbs: ["list"], resources: ["pods", "nodes"]),
        ])
        try await FakeOpenStack.with(groups: ["default-worker": .init(nodeCount: 1, minNodeCount: 1, maxNodeCount: 10)]) { openstack in
            try await FakeKubernetesAPIServer.with(accounts: [account]) { fake in
                ScalingServeTests.addWorkload(to: fake)
                for index in 1...3 {
                    fake.updatePod(namespace: "shop", name: "web-\(index)") { pod in
                        pod["spec"]?["containers"] = [["name": "app", "resources": ["requests": ["cpu": "1", "memory": "1Gi"]]]]
                    }
                }
                fake.add("nodes", NodeScalingServeTests.node("node-1"))
                try await NodeScalingServeTests.serving(fake, prefix: "surge-nodes-ahead", config: { kubeconfig, dir in
                    try "s3cret\n".write(toFile: dir + "/password", atomically: true, encoding: .utf8)
                    let formatter = ISO8601DateFormatter()
                    try """
                        policies:
                          - name: web
                            target: {kind: Deployment, namespace: shop, name: web}
                            minReplicas: 3
                            maxReplicas: 10
                            interval: 1s
                            schedules:
                              - {name: sale, start: "\(formatter.string(from: Date().addingTimeInterval(120)))", end: "\(formatter.string(from: Date().addingTimeInterval(3600)))", minReplicas: 9}
                        """.write(toFile: dir + "/web.yaml", atomically: true, encoding: .utf8)
                    return """
                        scaling:
                          policy_files: [web.yaml]
                          dry_run: true
                          kubernetes: {kubeconfig_file: \(kubeconfig)}
                        nodes:
                          scan_interval: 1s
                          groups:
                            - name: workers
                              magnum: {auth_url: "\(openstack.authURL)", user: surge, password_file: \(dir)/password, project: platform, cluster_id: \(openstack.clusterID)}
                              boot_time: 5m
                              template: {cpu: "4", memory: 16Gi, pods: 110, labels: {pool: workers}}
                              policies: [web]
                        """
                }) { surge, dir in
                    // Six more one-core pods in two minutes: one fits the ready node's spare core, five need two nodes.
                    try await NodeScalingServeTests.waitFor("Magnum resized to 3: \(surge.log.suffix(1500))") { openstack.group("default-worker")?.nodeCount == 3 }
                    #expect(openstack.resizeRequests.first?["node_count"] == 3)
                    // The pods do not exist yet: the workload still has its three.
                    #expect(fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int == 3)
                    let audit = (try? String(contentsOfFile: dir.path + "/data/audit/scaling.jsonl", encoding: .utf8)) ?? ""
                    #expect(audit.contains(#""drivenBy":"policy floors""#) && audit.contains("want within the group's boot time need 2 more nodes"), "\(audit)")
                    // The resize is followed until Magnum says it is done.
                    openstack.finishResize()
                    try await NodeScalingServeTests.waitFor("the resize completes") {
                        ((try? String(contentsOfFile: dir.path + "/data/audit/scaling.jsonl", encoding: .utf8)) ?? "").contains("Magnum resize completed after")
                    }
                }
            }
        }
    }
}

/// Scale-down: an underutilized node is cordoned and drained through the Eviction API; a
/// PodDisruptionBudget's 429 holds the drain until the budget allows it; then the node's Machine is
/// marked and the group shrunk.
@Suite(.serialized) struct NodeScaleDownServeTests {
    static let machines = FakeResource(group: "cluster.x-k8s.io", version: "v1beta1", plural: "machines", kind: "Machine")
    static let account = FakeKubernetesAccount(token: "scaling-token", user: "system:serviceaccount:surge:surge", rules: NodeScalingServeTests.account.rules + [
        FakeKubernetesRule(verbs: ["patch"], resources: ["nodes"]),
        FakeKubernetesRule(verbs: ["create"], resources: ["pods/eviction"]),
        FakeKubernetesRule(verbs: ["list"], apiGroups: ["policy"], resources: ["poddisruptionbudgets"]),
        FakeKubernetesRule(verbs: ["list", "patch"], apiGroups: ["cluster.x-k8s.io"], resources: ["machines"], namespaces: ["capi"]),
    ])

    static func pod(_ name: String, node: String, cpu: String, app: String) -> JSONValue {
        var pod = FakeKubernetesAPIServer.pod(name: name, namespace: "shop", node: node, labels: ["app": app],
                                              containers: [["name": "app", "resources": ["requests": ["cpu": .string(cpu), "memory": "1Gi"]]]])
        pod["metadata"]?["ownerReferences"] = [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": .string("\(app)-rs"), "controller": true]]
        return pod
    }

    @Test(.timeLimit(.minutes(2)))
    func anUnderutilizedNodeIsDrainedHonouringItsBudgetThenRemoved() async throws {
        try await FakeKubernetesAPIServer.with(accounts: [Self.account]) { fake in
            fake.installCustomResource(NodeScalingServeTests.machineDeployments)
            fake.installCustomResource(Self.machines)
            fake.add("machinedeployments", namespace: "capi", ["metadata": ["name": "workers"], "spec": ["replicas": 2]])
            for index in 1...2 {
                fake.add("nodes", NodeScalingServeTests.node("worker-\(index)"))
                fake.add("machines", namespace: "capi", [
                    "metadata": ["name": .string("workers-m\(index)"), "labels": ["cluster.x-k8s.io/deployment-name": "workers"]],
                    "status": ["nodeRef": ["name": .string("worker-\(index)")]],
                ])
            }
            fake.addPod(Self.pod("web-1", node: "worker-1", cpu: "3", app: "web"))
            fake.addPod(Self.pod("db-1", node: "worker-2", cpu: "500m", app: "db"))
            fake.add("poddisruptionbudgets", namespace: "shop", ["metadata": ["name": "db"], "spec": ["minAvailable": 1, "selector": ["matchLabels": ["app": "db"]]]])
            try await NodeScalingServeTests.serving(fake, prefix: "surge-scale-down", config: { kubeconfig, _ in
                """
                nodes:
                  scan_interval: 1s
                  kubernetes: {kubeconfig_file: \(kubeconfig)}
                  scale_down: {unneeded_time: 1s, delay_after_add: 0}
                  groups:
                    - name: workers
                      cluster_api: {namespace: capi, name: workers}
                      template: {cpu: "4", memory: 16Gi, pods: 110, labels: {pool: workers}}
                """
            }) { surge, dir in
                func replicas() -> Int? { fake.object(NodeScalingServeTests.machineDeployments, namespace: "capi", name: "workers")?[path: "spec.replicas"]?.int }
                // worker-2 (12.5 % requested) is cordoned; its db pod may not go: the budget needs one healthy db pod.
                try await NodeScalingServeTests.waitFor("worker-2 cordoned: \(surge.log.suffix(1500))") {
                    fake.object(.init(group: "", version: "v1", plural: "nodes", kind: "Node"), namespace: "", name: "worker-2")?[path: "spec.unschedulable"] == .bool(true)
                }
                try await NodeScalingServeTests.waitFor("the eviction waits: \(surge.log.suffix(1500))") { surge.log.contains("waits for its PodDisruptionBudget") }
                #expect(replicas() == 2)
                #expect(fake.object(.init(group: "", version: "v1", plural: "nodes", kind: "Node"), namespace: "", name: "worker-1")?[path: "spec.unschedulable"] == nil)
                // A second db pod elsewhere: the budget allows one eviction, the drain finishes, the node goes.
                fake.addPod(Self.pod("db-2", node: "worker-1", cpu: "500m", app: "db"))
                try await NodeScalingServeTests.waitFor("the group shrinks to 1: \(surge.log.suffix(1500))") { replicas() == 1 }
                #expect(fake.object(Self.machines, namespace: "capi", name: "workers-m2")?[path: "metadata.annotations"]?["cluster.x-k8s.io/delete-machine"] != nil)
                #expect(fake.object(Self.machines, namespace: "capi", name: "workers-m1")?[path: "metadata.annotations"] == nil)
                let audit = (try? String(contentsOfFile: dir.path + "/data/audit/scaling.jsonl", encoding: .utf8)) ?? ""
                #expect(audit.contains(#""drivenBy":"underutilized node""#) && audit.contains("worker-2 drained and removed"), "\(audit)")
            }
        }
    }
}

/// A provider that does not answer: the group is held (nothing changes), the attempt is audited, and
/// `NodeGroupProviderUnavailable` goes to the alert receivers.
@Suite(.serialized) struct NodeProviderOutageTests {
    @Test(.timeLimit(.minutes(2)))
    func anUnreachableProviderHoldsAuditsAndAlerts() async throws {
        try await WebhookCapture.with(failFirst: 1_000) { provider, providerURL in
            try await WebhookCapture.with { alerts, alertsURL in
                try await FakeKubernetesAPIServer.with(accounts: [NodeScalingServeTests.account]) { fake in
                    fake.add("nodes", NodeScalingServeTests.node("rack-1"))
                    NodeScalingServeTests.addUnschedulablePods(to: fake)
                    try await NodeScalingServeTests.serving(fake, prefix: "surge-node-outage", config: { kubeconfig, _ in
                        """
                        alerting:
                          webhooks:
                            - {name: oncall, url: "\(alertsURL)/hook", group_wait: 1s, group_interval: 1s}
                        nodes:
                          scan_interval: 1s
                          kubernetes: {kubeconfig_file: \(kubeconfig)}
                          groups:
                            - name: rack
                              webhook: {url: "\(providerURL)/resize", size: 1}
                              max_size: 4
                              template: {cpu: "4", memory: 16Gi, pods: 110, labels: {pool: workers}}
                        """
                    }) { surge, dir in
                        try await NodeScalingServeTests.waitFor("an alert: \(surge.log.suffix(1500))") {
                            alerts.bodies.contains { $0.contains("NodeGroupProviderUnavailable") }
                        }
                        let message = try #require(alerts.bodies.first { $0.contains("NodeGroupProviderUnavailable") })
                        #expect(message.contains(#""node_group":"rack""#) && message.contains(#""status":"firing""#), "\(message)")
                        #expect(provider.requests >= 1 && provider.bodies.isEmpty)
                        let audit = (try? String(contentsOfFile: dir.path + "/data/audit/scaling.jsonl", encoding: .utf8)) ?? ""
                        #expect(audit.contains(#""outcome":"held""#) && audit.contains(#""message":"503""#), "\(audit)")
                    }
                }
            }
        }
    }
}

/// `surge decide --nodes`: what the node loop would do, and why, against the fake API server.
@Suite struct DecideNodesTests {
    @Test(.timeLimit(.minutes(1)))
    func explainsWhichGroupGrowsByHowManyAndWhy() async throws {
        try await FakeKubernetesAPIServer.with(accounts: [NodeScalingServeTests.account]) { fake in
            fake.installCustomResource(NodeScalingServeTests.machineDeployments)
            fake.add("machinedeployments", namespace: "capi", ["metadata": ["name": "workers"], "spec": ["replicas": 1]])
            fake.add("nodes", NodeScalingServeTests.node("worker-1"))
            NodeScalingServeTests.addUnschedulablePods(to: fake)
            var picky = FakeKubernetesAPIServer.pod(name: "gpu-1", namespace: "jobs", phase: "Pending", containers: [])
            picky["spec"] = ["nodeSelector": ["accelerator": "a100"], "containers": []]
            picky["status"] = ["phase": "Pending", "conditions": [["type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                                                     "lastTransitionTime": "2026-01-01T00:00:00Z"]]]
            fake.addPod(picky)
            let dir = try TemporaryDirectory(prefix: "surge-decide-nodes")
            defer { dir.remove() }
            let kubeconfig = dir.url.appendingPathComponent("kubeconfig")
            try ScalingServeTests.writeKubeconfig(fake, to: kubeconfig)
            try """
                nodes:
                  groups:
                    - name: workers
                      cluster_api: {namespace: capi, name: workers}
                      max_size: 3
                      template: {cpu: "4", memory: 16Gi, pods: 110, labels: {pool: workers}}
                """.write(to: dir.url.appendingPathComponent("surge.yml"), atomically: true, encoding: .utf8)
            let run = try await SurgeBinary.run(["decide", "--nodes", dir.path + "/surge.yml", "--kubeconfig", kubeconfig.path])
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.contains("11 pods unschedulable"), "\(run.output)")
            #expect(run.output.contains("node group workers: 1 nodes (min 0, max 3), 0 booting"), "\(run.output)")
            #expect(run.output.contains("grow 1 → 3") && run.output.contains("The group reaches its maximum of 3 nodes."), "\(run.output)")
            #expect(run.output.contains("pod jobs/gpu-1 fits no group: group workers: its nodeSelector accelerator=a100 does not match the group's labels"), "\(run.output)")
            #expect(run.output.contains("pod jobs/batch-") && run.output.contains("the group is at its maximum size"), "\(run.output)")
            #expect(run.output.contains("workers/worker-1: requests 0% of it; stays: the group is at its minimum size") == false)
            #expect(run.output.contains("workers/worker-1: requests 0% of it;"), "\(run.output)")
            // Nothing was changed.
            #expect(fake.object(NodeScalingServeTests.machineDeployments, namespace: "capi", name: "workers")?[path: "spec.replicas"]?.int == 1)
        }
    }
}
