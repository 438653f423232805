import Foundation
import SurgeTestKit
import Testing

/// `surge serve` discovers pods through the strict fake API server with a kubeconfig, scrapes the ones
/// relabeling keeps, and follows pods as they change and go.
@Suite(.serialized) struct KubernetesDiscoveryTests {
    @Test(.timeLimit(.minutes(2)))
    func discoversScrapesAndForgetsPods() async throws {
        let reader = FakeKubernetesAccount(token: "surge-token", user: "system:serviceaccount:monitoring:surge",
                                           rules: [FakeKubernetesRule(verbs: ["list", "watch"], resources: ["pods"])])
        try await FakeKubernetesAPIServer.with(accounts: [reader]) { fake in
            let dir = try TemporaryDirectory(prefix: "surge-k8s-sd")
            defer { dir.remove() }
            let port = try freeLocalPort()
            // The annotated pod's port is Surge's own, so Surge scrapes itself through discovery.
            fake.addPod(FakeKubernetesAPIServer.pod(
                name: "surge-0", namespace: "monitoring", ip: "127.0.0.1", labels: ["app": "surge"],
                annotations: ["prometheus.io/scrape": "true"],
                containers: [FakeKubernetesAPIServer.container("surge", ports: [(name: "http", port: port)])]))
            fake.addPod(FakeKubernetesAPIServer.pod(
                name: "db-0", namespace: "monitoring", ip: "127.0.0.2", labels: ["app": "db"],
                containers: [FakeKubernetesAPIServer.container("db", ports: [(name: "sql", port: 5432)])]))
            let kubeconfig = dir.url.appendingPathComponent("kubeconfig")
            try """
                apiVersion: v1
                kind: Config
                current-context: test
                clusters: [{name: fake, cluster: {server: "\(fake.url)"}}]
                contexts: [{name: test, context: {cluster: fake, user: surge, namespace: monitoring}}]
                users: [{name: surge, user: {token: surge-token}}]
                """.write(to: kubeconfig, atomically: true, encoding: .utf8)
            let config = dir.url.appendingPathComponent("surge.yml")
            try """
                scrape_configs:
                  - job_name: pods
                    scrape_interval: 1s
                    kubernetes_sd_configs:
                      - role: pod
                        kubeconfig_file: \(kubeconfig.path)
                    relabel_configs:
                      - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]
                        regex: "true"
                        action: keep
                      - action: labelmap
                        regex: __meta_kubernetes_pod_label_(.+)
                      - source_labels: [__meta_kubernetes_namespace]
                        target_label: namespace
                      - source_labels: [__meta_kubernetes_pod_name]
                        target_label: pod
                """.write(to: config, atomically: true, encoding: .utf8)
            let surge = try await SurgeBinary.serve(dataDirectory: dir.url.appendingPathComponent("data").path, port: port,
                                                    logURL: dir.url.appendingPathComponent("surge.log"), configPath: config.path, collect: true)
            defer { surge.signal(SIGKILL) }
            let base = "http://127.0.0.1:\(port)"
            let expected: [String: String] = ["__name__": "up", "job": "pods", "instance": "127.0.0.1:\(port)", "app": "surge",
                                              "namespace": "monitoring", "pod": "surge-0"]
            let query = #"up{job="pods"}"#
            var seen = try await pollQuery(base, query) { !$0.isEmpty }
            #expect(seen == [expected: "1"], "\(surge.log.suffix(1500))")

            let listed = try await TestHTTP.get("\(base)/api/v1/targets").json()
            let data = try #require(listed["data"] as? [String: Any])
            let active = data["activeTargets"] as? [[String: Any]] ?? []
            #expect(active.compactMap { $0["scrapeUrl"] as? String } == ["http://127.0.0.1:\(port)/metrics"])
            let discovered = active.first?["discoveredLabels"] as? [String: String] ?? [:]
            #expect(discovered["__meta_kubernetes_pod_container_port_name"] == "http")
            #expect(discovered["__meta_kubernetes_pod_ready"] == "true")
            let dropped = data["droppedTargets"] as? [[String: Any]] ?? []
            #expect(dropped.compactMap { ($0["discoveredLabels"] as? [String: String])?["__address__"] } == ["127.0.0.2:5432"])
            #expect(fake.requests.contains { $0.hasPrefix("GET /api/v1/pods?") && $0.contains("watch=true") })

            // A label change is seen through the watch and becomes a new target; deleting the pod ends it.
            fake.updatePod(namespace: "monitoring", name: "surge-0") { $0["metadata"]?["labels"]?["app"] = "surge-canary" }
            var relabeled = expected
            relabeled["app"] = "surge-canary"
            seen = try await pollQuery(base, query) { $0 == [relabeled: "1"] }
            #expect(seen == [relabeled: "1"], "\(seen)")
            fake.deletePod(namespace: "monitoring", name: "surge-0")
            seen = try await pollQuery(base, query) { $0.isEmpty }
            // Its series ended with staleness markers.
            #expect(seen.isEmpty, "\(seen)")
            #expect(await surge.stop() == 0)
        }
    }
}
