import Foundation
import SurgeTestKit
import Testing

/// The real Prometheus from Debian remote-writes into a real `surge serve`; both are asked the same
/// questions at the same instant and must agree.
@Suite(.serialized) struct PrometheusRemoteWriteTests {
    @Test(.timeLimit(.minutes(3)))
    func surgeAnswersLikePrometheusForWhatPrometheusSent() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-prom")
        defer { dir.remove() }
        let pair = try await SurgeBesidePrometheus.start(in: dir) { surgePort, promPort in
            try startPrometheus(port: promPort, writeURL: "http://127.0.0.1:\(surgePort)/api/v1/write", directory: dir)
        }
        defer { pair.kill() }
        let (surge, prometheus, surgeURL, promURL) = (pair.surge, pair.prometheus, pair.surgeURL, pair.promURL)

        // Wait until a few scrapes have reached Surge.
        let deadline = ContinuousClock.now + .seconds(90)
        var arrived: [[String: String]: String] = [:]
        while ContinuousClock.now < deadline {
            let now = String(format: "%.3f", Date().timeIntervalSince1970)
            arrived = (try? await instantResult(surgeURL, "prometheus_build_info", time: now)) ?? [:]
            if !arrived.isEmpty, let samples = try? await instantResult(surgeURL, "prometheus_tsdb_head_samples_appended_total", time: now),
               !samples.isEmpty { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(!arrived.isEmpty, "nothing arrived in Surge:\n\(surge.log.suffix(2000))\n\(prometheus.log.suffix(2000))")

        // Let several scrapes happen, then ask both servers about the same instant, far enough back that
        // remote-write has delivered everything up to it (batches leave every second).
        try await Task.sleep(for: .seconds(8))
        let at = String(format: "%.3f", Date().timeIntervalSince1970 - 3)

        let selectors = [
            "up",
            #"up{job="prometheus"}"#,
            "prometheus_build_info",
            #"prometheus_http_requests_total{handler=~"/api/v1/.*|/metrics"}"#,
            #"{__name__=~"prometheus_tsdb_head_(series|chunks)", job!="nonexistent"}"#,
            #"go_goroutines{instance!~"10\\..*"}"#,
            #"scrape_samples_scraped"#,
        ]
        for selector in selectors {
            let fromPrometheus = try await instantResult(promURL, selector, time: at)
            let fromSurge = try await instantResult(surgeURL, selector, time: at)
            #expect(!fromPrometheus.isEmpty, "Prometheus has no data for \(selector)")
            #expect(fromSurge == fromPrometheus, "\(selector): Surge \(fromSurge) vs Prometheus \(fromPrometheus)")
        }
        let up = try await instantResult(surgeURL, "up", time: at)
        #expect(up.values.allSatisfy { $0 == "1" } && up.count == 1)
        await prometheus.stop()
        #expect(await surge.stop() == 0, "surge did not shut down cleanly on SIGTERM:\n\(surge.log.suffix(2000))")
    }
}
