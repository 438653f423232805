import Foundation
import SurgeTestKit
import Testing

/// `surge bench remote-write` against a real `surge serve` and Debian's Prometheus: every sample it
/// reports sent is stored, its series look like cAdvisor's and kube-state-metrics', refused requests
/// are counted by status, and an unreachable receiver ends the run with a message.
@Suite(.serialized) struct BenchCommandTests {
    static let series = 50, steps = 40

    @Test(.timeLimit(.minutes(3)))
    func everySampleSentIsStoredBySurgeAndPrometheus() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-bench-cli")
        defer { dir.remove() }
        let pair = try await SurgeBesidePrometheus.start(in: dir) { _, promPort in
            try startPrometheusReceiver(port: promPort, directory: dir)
        }
        defer { pair.kill() }
        let end = Int64(Date().timeIntervalSince1970) / 15 * 15_000
        let at = String(end / 1000)
        for base in [pair.surgeURL, pair.promURL] {
            let run = try await SurgeBinary.run([
                "bench", "remote-write", "--url", "\(base)/api/v1/write", "--series", "\(Self.series)", "--interval", "15s",
                "--duration", "10m", "--concurrency", "3", "--batch", "7", "--end", "\(end)", "--json",
            ])
            #expect(run.status == 0, "\(base): \(run.output)")
            let report = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") }, "\(run.output)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
            // 50 series over 3 senders own 17, 17 and 16; 7 to a request makes 3 requests each per step.
            #expect(json["samples_sent"] as? Int == Self.series * Self.steps, "\(report)")
            #expect(json["requests"] as? Int == 3 * 3 * Self.steps, "\(report)")
            #expect((json["errors"] as? [String: Any])?.isEmpty == true, "\(report)")
            #expect((json["samples_per_second"] as? Double ?? 0) > 0, "\(report)")

            let stored = try await instantResult(base, #"sum(count_over_time({__name__=~".+"}[10m]))"#, time: at)
            #expect(stored == [[:]: "\(Self.series * Self.steps)"], "\(base) stored \(stored)")
            let jobs = try await instantResult(base, #"count by (job) ({__name__=~".+"})"#, time: at)
            #expect(jobs == [["job": "kubelet"]: "40", ["job": "kube-state-metrics"]: "10"], "8 of the 10 metrics are the kubelet's: \(base): \(jobs)")
            let resets = try await instantResult(base, "sum(resets(container_cpu_usage_seconds_total[10m]))", time: at)
            #expect(resets == [[:]: "0"], "counters only grow: \(resets)")
            let cpu = try await instantResult(base, #"count(rate(container_cpu_usage_seconds_total{cpu="total",namespace!="",pod!="",container!="",image!=""}[5m]) > 0)"#, time: at)
            #expect(cpu == [[:]: "5"], "\(base): \(cpu)")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func refusedRequestsAreCountedByStatusAndAnUnreachableReceiverEndsTheRun() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-bench-errors")
        defer { dir.remove() }
        let port = try freeLocalPort()
        let surge = try await SurgeBinary.serve(dataDirectory: dir.url.appendingPathComponent("data").path, port: port,
                                                logURL: dir.url.appendingPathComponent("surge.log"))
        defer { surge.signal(SIGKILL) }
        let refused = try await SurgeBinary.run([
            "bench", "remote-write", "--url", "http://127.0.0.1:\(port)/api/v1/nowhere", "--series", "10", "--duration", "1m",
            "--concurrency", "2",
        ])
        #expect(refused.status == 0, "\(refused.output)")
        #expect(refused.output.contains("samples sent:    0"), "\(refused.output)")
        #expect(refused.output.contains("requests:        8"), "\(refused.output)")
        #expect(refused.output.contains("errors:          404: 8"), "\(refused.output)")

        let closed = try freeLocalPort()
        let unreachable = try await SurgeBinary.run([
            "bench", "remote-write", "--url", "http://127.0.0.1:\(closed)/api/v1/write", "--series", "10", "--duration", "1m",
        ])
        #expect(unreachable.status != 0)
        #expect(unreachable.output.contains("cannot reach http://127.0.0.1:\(closed)/api/v1/write"), "\(unreachable.output)")
    }

    /// Eight senders against a server taking one write at a time: the rest are shed with 503, the
    /// generator retries them as Prometheus would, and every sample ends up stored once.
    @Test(.timeLimit(.minutes(2)))
    func overloadIsShedWith503AndRetriedUntilEverythingIsStored() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-bench-overload")
        defer { dir.remove() }
        let config = dir.url.appendingPathComponent("surge.yml")
        try "remote_write_receiver:\n  max_inflight_requests: 1\n".write(to: config, atomically: true, encoding: .utf8)
        let port = try freeLocalPort()
        let surge = try await SurgeBinary.serve(dataDirectory: dir.url.appendingPathComponent("data").path, port: port,
                                                logURL: dir.url.appendingPathComponent("surge.log"), configPath: config.path)
        defer { surge.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)"
        let end = Int64(Date().timeIntervalSince1970) / 15 * 15_000
        let run = try await SurgeBinary.run([
            "bench", "remote-write", "--url", "\(base)/api/v1/write", "--series", "400", "--duration", "30m",
            "--concurrency", "8", "--batch", "50", "--end", "\(end)", "--json",
        ])
        #expect(run.status == 0, "\(run.output)")
        let report = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") }, "\(run.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
        #expect(json["samples_sent"] as? Int == 400 * 120, "\(report)")
        let errors = json["errors"] as? [String: Int] ?? [:]
        #expect(Set(errors.keys) == ["503"], "only overload answers, and some: \(report)")
        let stored = try await instantResult(base, #"sum(count_over_time({__name__=~".+"}[30m]))"#, time: String(end / 1000))
        #expect(stored == [[:]: "\(400 * 120)"], "every sample once: \(stored)")
        let metrics = try await TestHTTP.get("\(base)/metrics")
        #expect(metrics.text.contains(#"surge_remote_write_requests_total{code="503"}"#))
    }
}
