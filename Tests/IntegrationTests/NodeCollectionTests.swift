import Foundation
import SurgeTestKit
import Testing

/// `surge serve` with collection on reads the node's /proc (here a fixture tree) and the machine's
/// cgroups into its own storage, queryable at once, and marks its series stale when it shuts down.
@Suite(.serialized) struct NodeCollectionTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("CollectorsTests/Fixtures/proc")

    @Test(.timeLimit(.minutes(2)))
    func nodeMetricsLandInStorageAndGoStaleOnShutdown() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-node-collection")
        defer { dir.remove() }
        let config = dir.url.appendingPathComponent("surge.yml")
        try "collectors:\n  interval: 1s\n  node_name: test-node\n  proc_path: \(Self.fixture.path)\n".write(to: config, atomically: true, encoding: .utf8)
        let data = dir.url.appendingPathComponent("data").path
        let port = try freeLocalPort()
        let base = "http://127.0.0.1:\(port)"
        var surge = try await SurgeBinary.serve(dataDirectory: data, port: port, logURL: dir.url.appendingPathComponent("1.log"),
                                                configPath: config.path, collect: true)
        defer { surge.signal(SIGKILL) }

        var load: [[String: String]: String] = [:]
        let deadline = ContinuousClock.now + .seconds(20)
        while load.isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(300))
            load = try await instantResult(base, "node_load1", time: String(Date().timeIntervalSince1970))
        }
        // Labelled as node_exporter scraped by kube-prometheus' job.
        #expect(load == [["__name__": "node_load1", "job": "node-exporter", "instance": "test-node"]: "0.83"])
        let cpu = try await instantResult(base, #"node_cpu_seconds_total{cpu="0",mode="user"}"#, time: String(Date().timeIntervalSince1970))
        #expect(cpu.values.first == "4790.06")
        // Container metrics from this machine's own cgroup hierarchy arrive in the same rounds.
        // Container metrics from this machine's own cgroup hierarchy arrive in the same rounds, as the
        // kubelet's cAdvisor endpoint scraped by the job `kubelet`.
        let rootMemory = try await instantResult(
            base, #"container_memory_usage_bytes{id="/",job="kubelet",metrics_path="/metrics/cadvisor",node="test-node",instance="test-node"}"#,
            time: String(Date().timeIntervalSince1970))
        #expect((rootMemory.values.first.flatMap(Double.init) ?? 0) > 0, "\(rootMemory)")
        // Each collector is a target that is up, with its scrape figures.
        let up = try await instantResult(base, "up", time: String(Date().timeIntervalSince1970))
        #expect(up == [["__name__": "up", "job": "node-exporter", "instance": "test-node"]: "1",
                       ["__name__": "up", "job": "kubelet", "instance": "test-node", "node": "test-node", "metrics_path": "/metrics/cadvisor"]: "1"])
        let scraped = try await instantResult(base, #"scrape_samples_scraped{job="node-exporter"}"#, time: String(Date().timeIntervalSince1970))
        #expect((scraped.values.first.flatMap(Double.init) ?? 0) >= 100, "\(scraped)")
        try await Task.sleep(for: .milliseconds(1500))
        let collected = Date().timeIntervalSince1970
        #expect(await surge.stop() == 0, "\(surge.log.suffix(2000))")

        // After a restart without collection: present before the shutdown, stale after it.
        surge = try await SurgeBinary.serve(dataDirectory: data, port: port, logURL: dir.url.appendingPathComponent("2.log"))
        let earlier = try await instantResult(base, "node_load1", time: String(collected))
        #expect(earlier.values.first == "0.83")
        let later = try await instantResult(base, "node_load1", time: String(Date().timeIntervalSince1970 + 1))
        #expect(later.isEmpty, "\(later)")
    }
}
