import Foundation
import SurgeTestKit
import Testing

/// `surge serve` with `collectors.kube_state` beside the strict fake API server: kube-state-metrics'
/// series for the listed objects and HorizontalPodAutoscaler series for the policies, under the job
/// `kube-state-metrics`; a list the account may not read is left out and named, the rest still come.
@Suite(.serialized) struct KubeStateServeTests {
    static let account = FakeKubernetesAccount(
        token: "scaling-token", user: "system:serviceaccount:surge:surge",
        rules: ScalingServeTests.reader.rules + [
            FakeKubernetesRule(verbs: ["list"], resources: ["pods", "nodes"]),
            FakeKubernetesRule(verbs: ["list"], apiGroups: ["apps"], resources: ["deployments", "replicasets"]),
        ])

    @Test(.timeLimit(.minutes(2)))
    func kubeStateSeriesFromTheAPIServerAndThePolicies() async throws {
        try await FakeKubernetesAPIServer.with(accounts: [Self.account]) { fake in
            ScalingServeTests.addWorkload(to: fake)
            fake.add("nodes", [
                "metadata": ["name": "node-1"],
                "status": ["allocatable": ["cpu": "3500m", "memory": "8Gi", "pods": "110"], "capacity": ["cpu": "4", "memory": "8Gi", "pods": "110"],
                           "conditions": [["type": "Ready", "status": "True"]]],
            ])
            let dir = try TemporaryDirectory(prefix: "surge-kube-state")
            defer { dir.remove() }
            let kubeconfig = dir.url.appendingPathComponent("kubeconfig")
            try ScalingServeTests.writeKubeconfig(fake, to: kubeconfig)
            try ScalingServeTests.webPolicy.write(to: dir.url.appendingPathComponent("web.yaml"), atomically: true, encoding: .utf8)
            let config = dir.url.appendingPathComponent("surge.yml")
            try """
                collectors:
                  interval: 1s
                  cgroups: false
                  kube_state: {interval: 1s}
                scaling:
                  policy_files: [web.yaml]
                  kubernetes: {kubeconfig_file: \(kubeconfig.path)}
                """.write(to: config, atomically: true, encoding: .utf8)
            let port = try freeLocalPort()
            let surge = try await SurgeBinary.serve(dataDirectory: dir.url.appendingPathComponent("data").path, port: port,
                                                    logURL: dir.url.appendingPathComponent("surge.log"), configPath: config.path, collect: true)
            defer { surge.signal(SIGKILL) }
            let base = "http://127.0.0.1:\(port)"

            let replicas = try await pollQuery(base, #"kube_deployment_spec_replicas{job="kube-state-metrics"}"#) { !$0.isEmpty }
            #expect(replicas.first { $0.key["deployment"] == "web" && $0.key["namespace"] == "shop" }?.value == "3", "\(replicas)\n\(surge.log.suffix(1500))")
            let pods = try await instantResult(base, #"count(kube_pod_info{namespace="shop",node="node-1"})"#, time: String(Date().timeIntervalSince1970))
            #expect(pods.values.first == "4")
            let cpu = try await instantResult(base, #"kube_node_status_allocatable{resource="cpu"}"#, time: String(Date().timeIntervalSince1970))
            #expect(cpu.values.first == "3.5")
            let hpa = try await pollQuery(base, #"kube_horizontalpodautoscaler_spec_max_replicas"#) { !$0.isEmpty }
            #expect(hpa.first?.key["horizontalpodautoscaler"] == "web" && hpa.first?.value == "10", "\(hpa)")
            let up = try await instantResult(base, #"up{job="kube-state-metrics"}"#, time: String(Date().timeIntervalSince1970))
            #expect(up.values.first == "1")
            // StatefulSets may not be listed by this account: named once in the log, nothing else lost.
            #expect(surge.log.contains("/apis/apps/v1/statefulsets") && surge.log.contains("forbidden"), "\(surge.log.suffix(2000))")
            let statefulSets = try await instantResult(base, #"kube_statefulset_replicas"#, time: String(Date().timeIntervalSince1970))
            #expect(statefulSets.isEmpty)
            // Served for other scrapers as kube-state-metrics serves them.
            let exposition = try await TestHTTP.get(base + "/metrics/kube-state")
            #expect(exposition.text.contains("# TYPE kube_pod_info gauge\n"))
        }
    }
}
