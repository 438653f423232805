import Foundation
import SurgeTestKit
import Testing

/// `surge serve` scrapes a real Prometheus-format target (Debian's Prometheus' own /metrics) and a
/// target that is down, stores both outcomes, and shows them in /api/v1/targets.
@Suite(.serialized) struct ScrapeTests {
    @Test(.timeLimit(.minutes(2)))
    func scrapesPrometheusItselfAndReportsTargetHealth() async throws {
        guard let binary = which("prometheus") else {
            throw TestKitError("the prometheus binary is not installed; scripts/install-deps installs Debian's prometheus package")
        }
        let dir = try TemporaryDirectory(prefix: "surge-scrape")
        defer { dir.remove() }
        let promPort = try freeLocalPort()
        let downPort = try freeLocalPort()
        try "global: {}\n".write(to: dir.url.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        let prometheus = try ChildProcess(
            executable: binary,
            arguments: ["--config.file=\(dir.url.appendingPathComponent("prometheus.yml").path)",
                        "--storage.tsdb.path=\(dir.url.appendingPathComponent("prom-data").path)",
                        "--web.listen-address=127.0.0.1:\(promPort)"],
            logURL: dir.url.appendingPathComponent("prometheus.log"))
        defer { prometheus.signal(SIGKILL) }
        try await TestHTTP.waitUntilReady("http://127.0.0.1:\(promPort)/-/ready", process: prometheus)

        let config = dir.url.appendingPathComponent("surge.yml")
        try """
            scrape_configs:
              - job_name: prometheus
                scrape_interval: 1s
                static_configs:
                  - targets: ["127.0.0.1:\(promPort)", "dropped.invalid:1"]
                    labels: {team: platform}
                relabel_configs:
                  - source_labels: [__address__]
                    regex: dropped\\..*
                    action: drop
                metric_relabel_configs:
                  - source_labels: [__name__]
                    regex: go_.*
                    action: drop
              - job_name: down
                scrape_interval: 1s
                static_configs:
                  - targets: ["127.0.0.1:\(downPort)"]
            """.write(to: config, atomically: true, encoding: .utf8)
        let port = try freeLocalPort()
        let surge = try await SurgeBinary.serve(dataDirectory: dir.url.appendingPathComponent("data").path, port: port,
                                                logURL: dir.url.appendingPathComponent("surge.log"), configPath: config.path, collect: true)
        defer { surge.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)"

        let up = try await pollQuery(base, #"up{job=~"prometheus|down"}"#, every: .milliseconds(500)) { $0.count >= 2 }
        let instance = "127.0.0.1:\(promPort)"
        #expect(up[["__name__": "up", "job": "prometheus", "instance": instance, "team": "platform"]] == "1", "\(up)\n\(surge.log.suffix(2000))")
        #expect(up[["__name__": "up", "job": "down", "instance": "127.0.0.1:\(downPort)"]] == "0", "\(up)")

        let now = String(Date().timeIntervalSince1970)
        let buildInfo = try await instantResult(base, "prometheus_build_info", time: now)
        #expect(buildInfo.keys.first?["version"]?.hasPrefix("2.42") == true, "\(buildInfo)")
        #expect(buildInfo.keys.first?["job"] == "prometheus" && buildInfo.keys.first?["team"] == "platform")
        let scraped = try await instantResult(base, #"scrape_samples_scraped{job="prometheus"}"#, time: now)
        #expect((scraped.values.first.flatMap(Double.init) ?? 0) > 100, "\(scraped)")
        // metric_relabel_configs dropped Go's runtime series before storage.
        let goSeries = try await instantResult(base, #"{job="prometheus", __name__=~"go_.*"}"#, time: now)
        #expect(goSeries.isEmpty, "\(goSeries.keys.prefix(3))")
        let kept = try await instantResult(base, #"scrape_samples_post_metric_relabeling{job="prometheus"}"#, time: now)
        #expect((kept.values.first.flatMap(Double.init) ?? .infinity) < (scraped.values.first.flatMap(Double.init) ?? 0))

        let targets = try await TestHTTP.get("\(base)/api/v1/targets").json()
        let active = try #require((targets["data"] as? [String: Any])?["activeTargets"] as? [[String: Any]])
        #expect(active.count == 2)
        let dropped = try #require((targets["data"] as? [String: Any])?["droppedTargets"] as? [[String: Any]])
        #expect(dropped.compactMap { ($0["discoveredLabels"] as? [String: String])?["__address__"] } == ["dropped.invalid:1"])
        let healthy = try #require(active.first { $0["scrapePool"] as? String == "prometheus" })
        #expect(healthy["health"] as? String == "up")
        #expect(healthy["scrapeUrl"] as? String == "http://\(instance)/metrics")
        #expect(healthy["labels"] as? [String: String] == ["job": "prometheus", "instance": instance, "team": "platform"])
        #expect(healthy["scrapeInterval"] as? String == "1s" && healthy["lastError"] as? String == "")
        let broken = try #require(active.first { $0["scrapePool"] as? String == "down" })
        #expect(broken["health"] as? String == "down")
        #expect(!(broken["lastError"] as? String ?? "").isEmpty)
        #expect(await surge.stop() == 0)
    }

    @Test(.timeLimit(.minutes(2)))
    func fileDiscoveryFollowsTheFile() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-filesd")
        defer { dir.remove() }
        // Surge scrapes itself through the file first, then a port where nothing listens.
        let port = try freeLocalPort()
        let downPort = try freeLocalPort()
        let targets = dir.url.appendingPathComponent("targets.json")
        try #"[{"targets": ["127.0.0.1:\#(port)"], "labels": {"stage": "one"}}]"#.write(to: targets, atomically: true, encoding: .utf8)
        let config = dir.url.appendingPathComponent("surge.yml")
        try """
            scrape_configs:
              - job_name: self
                scrape_interval: 1s
                file_sd_configs:
                  - files: ["\(dir.url.path)/*.json"]
            """.write(to: config, atomically: true, encoding: .utf8)
        let surge = try await SurgeBinary.serve(dataDirectory: dir.url.appendingPathComponent("data").path, port: port,
                                                logURL: dir.url.appendingPathComponent("surge.log"), configPath: config.path, collect: true)
        defer { surge.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)"

        var seen = try await pollQuery(base, #"up{job="self"}"#) { !$0.isEmpty }
        #expect(seen == [["__name__": "up", "job": "self", "instance": "127.0.0.1:\(port)", "stage": "one"]: "1"], "\(surge.log.suffix(1500))")

        try #"[{"targets": ["127.0.0.1:\#(downPort)"], "labels": {"stage": "two"}}]"#.write(to: targets, atomically: true, encoding: .utf8)
        let expected: [[String: String]: String] = [["__name__": "up", "job": "self", "instance": "127.0.0.1:\(downPort)", "stage": "two"]: "0"]
        seen = try await pollQuery(base, #"up{job="self"}"#) { $0 == expected }
        // The first target's series ended with a staleness marker, so only the new one answers.
        #expect(seen == expected, "\(seen)\n\(surge.log.suffix(1500))")
        let listed = try await TestHTTP.get("\(base)/api/v1/targets").json()
        let active = (listed["data"] as? [String: Any])?["activeTargets"] as? [[String: Any]] ?? []
        #expect(active.compactMap { $0["scrapeUrl"] as? String } == ["http://127.0.0.1:\(downPort)/metrics"])
        #expect(await surge.stop() == 0)
    }

    /// https scraping with `tls_config`: Debian's Prometheus serves its /metrics over TLS with a
    /// certificate from a test CA. The job that trusts the CA scrapes it; the one that does not fails
    /// the scrape and says why.
    @Test(.timeLimit(.minutes(2)))
    func scrapesOverTLSWithTheConfiguredCA() async throws {
        guard let binary = which("prometheus") else {
            throw TestKitError("the prometheus binary is not installed; scripts/install-deps installs Debian's prometheus package")
        }
        let dir = try TemporaryDirectory(prefix: "surge-tls-scrape")
        defer { dir.remove() }
        let certificates = try TestCertificates(in: dir.path)
        let promPort = try freeLocalPort()
        let web = dir.url.appendingPathComponent("web.yml")
        try "tls_server_config:\n  cert_file: \(certificates.serverCertFile)\n  key_file: \(certificates.serverKeyFile)\n"
            .write(to: web, atomically: true, encoding: .utf8)
        try "global: {}\n".write(to: dir.url.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        let prometheus = try ChildProcess(
            executable: binary,
            arguments: ["--config.file=\(dir.url.appendingPathComponent("prometheus.yml").path)",
                        "--storage.tsdb.path=\(dir.url.appendingPathComponent("prom-data").path)",
                        "--web.config.file=\(web.path)",
                        "--web.listen-address=127.0.0.1:\(promPort)"],
            logURL: dir.url.appendingPathComponent("prometheus.log"))
        defer { prometheus.signal(SIGKILL) }

        let config = dir.url.appendingPathComponent("surge.yml")
        try """
            scrape_configs:
              - job_name: trusted
                scheme: https
                scrape_interval: 1s
                tls_config: {ca_file: \(certificates.caFile)}
                static_configs: [{targets: ["127.0.0.1:\(promPort)"]}]
              - job_name: untrusted
                scheme: https
                scrape_interval: 1s
                static_configs: [{targets: ["127.0.0.1:\(promPort)"]}]
            """.write(to: config, atomically: true, encoding: .utf8)
        let port = try freeLocalPort()
        let surge = try await SurgeBinary.serve(dataDirectory: dir.url.appendingPathComponent("data").path, port: port,
                                                logURL: dir.url.appendingPathComponent("surge.log"), configPath: config.path, collect: true)
        defer { surge.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)"
        let instance = "127.0.0.1:\(promPort)"
        let wanted: [[String: String]: String] = [
            ["__name__": "up", "job": "trusted", "instance": instance]: "1",
            ["__name__": "up", "job": "untrusted", "instance": instance]: "0",
        ]
        let up = try await pollQuery(base, #"up{job=~"trusted|untrusted"}"#, timeout: .seconds(40), every: .milliseconds(500)) { $0 == wanted }
        #expect(up == wanted, "\(up)\n\(surge.log.suffix(1500))")
        let buildInfo = try await instantResult(base, #"prometheus_build_info{job="trusted"}"#, time: String(Date().timeIntervalSince1970))
        #expect(buildInfo.count == 1)

        let targets = try await TestHTTP.get("\(base)/api/v1/targets").json()
        let active = (targets["data"] as? [String: Any])?["activeTargets"] as? [[String: Any]] ?? []
        let refused = try #require(active.first { $0["scrapePool"] as? String == "untrusted" })
        #expect(refused["scrapeUrl"] as? String == "https://\(instance)/metrics")
        let lastError = refused["lastError"] as? String ?? ""
        #expect(lastError.hasPrefix("TLS handshake failed: the server's certificate is not signed by a trusted CA"), "\(lastError)")
        #expect(await surge.stop() == 0)
    }
}
