import Foundation
import SurgeTestKit
import Testing

/// Debian's Prometheus scrapes Surge's collector endpoints as it would scrape node_exporter and the
/// kubelet's cAdvisor endpoint (with kube-prometheus' labels), and federates from Surge: what it
/// stores is what Surge stored.
@Suite(.serialized) struct CollectorEndpointsPrometheusTests {
    /// Every sample of a range selector's answer, by label set, as (timestamp in ms, value text).
    static func samples(_ base: String, _ selector: String, at time: Double) async throws -> [[String: String]: [(Int64, String)]] {
        let reply = try await TestHTTP.get("\(base)/api/v1/query?query=\(TestHTTP.urlEncode(selector))&time=\(time)")
        guard let data = try reply.json()["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            throw TestKitError("query \(selector) at \(base) failed: \(reply.text.prefix(500))")
        }
        var out: [[String: String]: [(Int64, String)]] = [:]
        for element in result {
            let metric = element["metric"] as? [String: String] ?? [:]
            out[metric] = (element["values"] as? [[Any]] ?? []).compactMap { pair in
                guard let time = pair.first as? Double, let value = pair.last as? String else { return nil }
                return (Int64((time * 1000).rounded()), value)
            }
        }
        return out
    }

    @Test(.timeLimit(.minutes(3)))
    func prometheusStoresWhatSurgeStored() async throws {
        guard let binary = which("prometheus") else {
            throw TestKitError("the prometheus binary is not installed; scripts/install-deps installs Debian's prometheus package")
        }
        let dir = try TemporaryDirectory(prefix: "surge-endpoints")
        defer { dir.remove() }
        let surgePort = try freeLocalPort(), promPort = try freeLocalPort()
        let surgeConfig = dir.url.appendingPathComponent("surge.yml")
        try """
            external_labels: {cluster: edge}
            collectors:
              interval: 1s
              node_name: test-node
            """.write(to: surgeConfig, atomically: true, encoding: .utf8)
        let surge = try await SurgeBinary.serve(dataDirectory: dir.url.appendingPathComponent("surge").path, port: surgePort,
                                                logURL: dir.url.appendingPathComponent("surge.log"), configPath: surgeConfig.path, collect: true)
        defer { surge.signal(SIGKILL) }
        // kube-prometheus' relabelling: instance is the node's name, the kubelet job keeps its path.
        let promConfig = dir.url.appendingPathComponent("prometheus.yml")
        try """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: node-exporter
                metrics_path: /metrics/node
                static_configs: [{targets: ['127.0.0.1:\(surgePort)']}]
                relabel_configs: [{target_label: instance, replacement: test-node}]
            \(kubeletScrapeJob(surgePort: surgePort, node: "test-node"))
              - job_name: federate
                honor_labels: true
                metrics_path: /federate
                params: {'match[]': ['{job="node-exporter",__name__=~"node_(load1|cpu_seconds_total|memory_MemTotal_bytes)"}']}
                static_configs: [{targets: ['127.0.0.1:\(surgePort)']}]
            """.write(to: promConfig, atomically: true, encoding: .utf8)
        let prometheus = try ChildProcess(
            executable: binary,
            arguments: ["--config.file=\(promConfig.path)", "--storage.tsdb.path=\(dir.url.appendingPathComponent("prom").path)",
                        "--web.listen-address=127.0.0.1:\(promPort)"],
            logURL: dir.url.appendingPathComponent("prometheus.log"))
        defer { prometheus.signal(SIGKILL) }
        let surgeURL = "http://127.0.0.1:\(surgePort)", promURL = "http://127.0.0.1:\(promPort)"
        try await TestHTTP.waitUntilReady("\(promURL)/-/ready", process: prometheus)

        // Prometheus sees three targets up once each has been scraped a few times.
        let up = try await pollQuery(promURL, "count_over_time(up[1m]) >= 4", timeout: .seconds(60), every: .milliseconds(500)) { $0.count == 3 }
        #expect(up.count == 3, "\(up)\n\(prometheus.log.suffix(1500))")
        let time = Date().timeIntervalSince1970

        // Scraped from the endpoints: the same label sets. cAdvisor's samples carry Surge's
        // timestamps, so Prometheus holds exactly Surge's samples; node_exporter's do not, so each
        // value Prometheus scraped is one of the rounds Surge stored.
        let own = #"__name__!~"up|scrape_.*""#
        for (job, stamped) in [("kubelet", true), ("node-exporter", false)] {
            // Federated series keep job="node-exporter" too; they are compared below.
            let theirs = try await Self.samples(promURL, "{job=\"\(job)\",cluster=\"\",\(own)}[20s]", at: time)
            let ours = try await Self.samples(surgeURL, "{job=\"\(job)\",\(own)}[40s]", at: time)
            #expect(theirs.count >= (job == "kubelet" ? 10 : 150), "\(job): \(theirs.count) series")
            var problems: [String] = []
            for (labels, samples) in theirs {
                guard let stored = ours[labels] else {
                    problems.append("Surge has no \(labels)")
                    continue
                }
                for (timestamp, value) in samples {
                    let found = stamped ? stored.contains { $0 == (timestamp, value) } : stored.contains { $0.1 == value }
                    if !found { problems.append("\(labels) \(timestamp) \(value) not among Surge's \(stored.suffix(3))") }
                }
            }
            #expect(problems.isEmpty, "\(job): \(problems.count) differences:\n\(problems.prefix(20).joined(separator: "\n"))")
        }

        // Federated: Surge's own samples with their timestamps, with its external labels.
        let federated = try await Self.samples(promURL, #"{cluster="edge"}[20s]"#, at: time)
        let stored = try await Self.samples(surgeURL, #"{job="node-exporter",__name__=~"node_(load1|cpu_seconds_total|memory_MemTotal_bytes)"}[40s]"#, at: time)
        #expect(federated.count == stored.count && federated.count > 2, "\(federated.count) federated, \(stored.count) stored")
        for (labels, samples) in federated {
            var own = labels
            own["cluster"] = nil
            own["exported_job"] = nil
            let mine = stored[own] ?? []
            #expect(!samples.isEmpty && samples.allSatisfy { sample in mine.contains { $0 == sample } }, "\(labels): \(samples) vs \(mine.suffix(3))")
        }
    }
}
