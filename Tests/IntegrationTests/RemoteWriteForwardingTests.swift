import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore
import WireFormat

/// Surge forwarding what it receives to Debian's Prometheus (its remote-write receiver): every
/// sample arrives, in order, across the receiver going away for a while and the forwarding Surge
/// being killed with SIGKILL while the receiver is away.
@Suite(.serialized) struct RemoteWriteForwardingTests {
    static func write(_ values: ClosedRange<Int>, start: Int64, port: Int) async throws {
        let series = ["a", "b"].map { name in
            RemoteWriteEncoder.WireSeries(labels: Labels(["__name__": "forwarded", "series": name]).pairs,
                                          samples: values.map { Sample(timestamp: start + Int64($0) * 1_000, value: Double($0)) })
        }
        let reply = try await TestHTTP.post("http://127.0.0.1:\(port)/api/v1/write", body: RemoteWriteEncoder.encode(series, version: .v1),
                                            headers: [("Content-Type", RemoteWriteVersion.v1ContentType), ("Content-Encoding", "snappy")])
        #expect(reply.status == 204)
    }

    /// The values Prometheus holds for each series.
    static func received(_ base: String, at time: Double) async throws -> [String: [Double]] {
        let reply = try await TestHTTP.get("\(base)/api/v1/query?query=\(TestHTTP.urlEncode("forwarded[30m]"))&time=\(time)")
        guard let data = try reply.json()["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else { return [:] }
        var out: [String: [Double]] = [:]
        for element in result {
            let name = (element["metric"] as? [String: String])?["series"] ?? ""
            out[name] = (element["values"] as? [[Any]] ?? []).compactMap { ($0.last as? String).flatMap(Double.init) }
        }
        return out
    }

    /// A Surge forwarding to a receiver (named `name`, at `port`, started by `startReceiver`): samples
    /// 1 to 20 of two series arrive; the receiver goes away (stopped with `stopSignal`); 21 to 40
    /// arrive at Surge, `pause` apart in two halves; Surge is SIGKILLed and restarted; 41 to 50
    /// arrive, and after `pause` nothing has been sent; the receiver comes back and holds 1 to 50 of
    /// both, in order, and the restarted Surge sent what the first had not, once.
    static func acrossAnOutage(_ name: String, dir: TemporaryDirectory, port receiverPort: Int, readyPath: String, stopSignal: Int32,
                               pause: Duration, maxBackoff: String, startReceiver: () throws -> ChildProcess) async throws {
        let surgePort = try freeLocalPort()
        let base = "http://127.0.0.1:\(receiverPort)"
        var receiver = try startReceiver()
        defer { receiver.signal(SIGKILL) }
        try await TestHTTP.waitUntilReady(base + readyPath, process: receiver)
        try """
            remote_write:
              - url: \(base)/api/v1/write
                name: \(name)
                queue_config: {max_samples_per_send: 7, batch_send_deadline: 200ms, min_backoff: 50ms, max_backoff: \(maxBackoff)}
            """.write(to: dir.url.appendingPathComponent("surge.yml"), atomically: true, encoding: .utf8)
        func serve() async throws -> ChildProcess {
            try await SurgeBinary.serve(dataDirectory: dir.path + "/surge", port: surgePort, logURL: dir.url.appendingPathComponent("surge.log"),
                                        configPath: dir.path + "/surge.yml")
        }
        var surge = try await serve()
        defer { surge.signal(SIGKILL) }
        let start = Int64(Date().timeIntervalSince1970 * 1000) - 600_000
        func arrived(_ count: Int) async throws -> [String: [Double]] {
            let deadline = ContinuousClock.now + .seconds(40)
            var seen: [String: [Double]] = [:]
            repeat {
                try await Task.sleep(for: .milliseconds(300))
                seen = (try? await Self.received(base, at: Date().timeIntervalSince1970)) ?? [:]
            } while (seen["a"]?.count ?? 0, seen["b"]?.count ?? 0) != (count, count) && ContinuousClock.now < deadline
            return seen
        }
        try await Self.write(1...20, start: start, port: surgePort)
        var seen = try await arrived(20)
        #expect(seen["a"] == (1...20).map(Double.init) && seen["b"] == (1...20).map(Double.init), "\(seen)\n\(surge.log.suffix(1500))")

        _ = await receiver.stop(signal: stopSignal)
        try await Self.write(21...30, start: start, port: surgePort)
        try await Task.sleep(for: pause)
        try await Self.write(31...40, start: start, port: surgePort)
        try await Task.sleep(for: .seconds(1))
        _ = await surge.stop(signal: SIGKILL)
        surge = try await serve()
        try await Self.write(41...50, start: start, port: surgePort)
        try await Task.sleep(for: pause)
        let metricsURL = "http://127.0.0.1:\(surgePort)/metrics"
        let series = #"{remote_name="\#(name)",url="\#(base)/api/v1/write"}"#
        #expect(try await TestHTTP.get(metricsURL).text.contains("surge_remote_storage_samples_sent_total\(series) 0"), "nothing sent while away")
        receiver = try startReceiver()
        try await TestHTTP.waitUntilReady(base + readyPath, process: receiver)
        seen = try await arrived(50)
        #expect(seen["a"] == (1...50).map(Double.init) && seen["b"] == (1...50).map(Double.init), "\(seen)\n\(surge.log.suffix(2000))")
        // The restarted Surge sent what the first had not: samples 21 to 50 of both series, once.
        let metrics = try await TestHTTP.get(metricsURL).text
        #expect(metrics.contains("surge_remote_storage_samples_sent_total\(series) 60"), "\(metrics)")
        #expect(metrics.contains("surge_remote_storage_samples_pending\(series) 0"))
        #expect(metrics.contains("surge_remote_storage_samples_failed_total\(series) 0"))
    }

    @Test(.timeLimit(.minutes(3)))
    func everySampleArrivesAcrossAnOutageAndAKill() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-forwarding")
        defer { dir.remove() }
        let port = try freeLocalPort()
        try await Self.acrossAnOutage("prometheus", dir: dir, port: port, readyPath: "/-/ready", stopSignal: SIGKILL, pause: .zero, maxBackoff: "200ms") {
            try startPrometheusReceiver(port: port, directory: dir)
        }
    }
}

/// Forwarding into another Surge, and into a receiver that answers 500, 429 and 503 for a while.
@Suite(.serialized) struct RemoteWriteForwardingReceiversTests {
    @Test(.timeLimit(.minutes(2)))
    func intoAnotherSurge() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-forward-surge")
        defer { dir.remove() }
        let centralPort = try freeLocalPort(), edgePort = try freeLocalPort()
        let central = try await SurgeBinary.serve(dataDirectory: dir.path + "/central", port: centralPort, logURL: dir.url.appendingPathComponent("central.log"))
        defer { central.signal(SIGKILL) }
        try "remote_write:\n  - {url: \"http://127.0.0.1:\(centralPort)/api/v1/write\", queue_config: {batch_send_deadline: 200ms}}\n"
            .write(to: dir.url.appendingPathComponent("edge.yml"), atomically: true, encoding: .utf8)
        let edge = try await SurgeBinary.serve(dataDirectory: dir.path + "/edge", port: edgePort, logURL: dir.url.appendingPathComponent("edge.log"),
                                               configPath: dir.path + "/edge.yml")
        defer { edge.signal(SIGKILL) }
        let start = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
        try await RemoteWriteForwardingTests.write(1...30, start: start, port: edgePort)
        var seen: [String: [Double]] = [:]
        let deadline = ContinuousClock.now + .seconds(20)
        repeat {
            try await Task.sleep(for: .milliseconds(200))
            seen = try await RemoteWriteForwardingTests.received("http://127.0.0.1:\(centralPort)", at: Date().timeIntervalSince1970)
        } while seen["a"]?.count != 30 && ContinuousClock.now < deadline
        #expect(seen["a"] == (1...30).map(Double.init) && seen["b"] == (1...30).map(Double.init), "\(seen)\n\(edge.log.suffix(1500))")
    }

    @Test(.timeLimit(.minutes(2)))
    func aReceiverAnswering500And429ForAWhileGetsEveryBatchAfterRetries() async throws {
        // Two 500s, then two 429s asking for a second's wait, then a 503.
        try await WebhookCapture.with(refusals: [.internalServerError, .internalServerError, .tooManyRequests, .tooManyRequests, .serviceUnavailable]) { capture, url in
            let dir = try TemporaryDirectory(prefix: "surge-forward-503")
            defer { dir.remove() }
            let port = try freeLocalPort()
            try "remote_write:\n  - {url: \"\(url)\", name: flaky, queue_config: {max_samples_per_send: 10, batch_send_deadline: 100ms, min_backoff: 20ms, max_backoff: 100ms}}\n"
                .write(to: dir.url.appendingPathComponent("surge.yml"), atomically: true, encoding: .utf8)
            let surge = try await SurgeBinary.serve(dataDirectory: dir.path + "/data", port: port, logURL: dir.url.appendingPathComponent("surge.log"),
                                                    configPath: dir.path + "/surge.yml")
            defer { surge.signal(SIGKILL) }
            try await RemoteWriteForwardingTests.write(1...25, start: Int64(Date().timeIntervalSince1970 * 1000) - 60_000, port: port)
            var metrics = ""
            let deadline = ContinuousClock.now + .seconds(20)
            repeat {
                try await Task.sleep(for: .milliseconds(200))
                metrics = try await TestHTTP.get("http://127.0.0.1:\(port)/metrics").text
            } while !metrics.contains(#"surge_remote_storage_samples_sent_total{remote_name="flaky",url="\#(url)"} 50"#) && ContinuousClock.now < deadline
            #expect(metrics.contains(#"surge_remote_storage_samples_sent_total{remote_name="flaky",url="\#(url)"} 50"#), "\(metrics)")
            #expect(metrics.contains(#"surge_remote_storage_samples_failed_total{remote_name="flaky",url="\#(url)"} 0"#))
            #expect(!metrics.contains(#"surge_remote_storage_samples_retried_total{remote_name="flaky",url="\#(url)"} 0"#), "the 503s were retried")
            #expect(capture.requests == capture.bodies.count + 5)
            let headers = try #require(capture.headers.first)
            #expect(headers["content-encoding"] == "snappy" && headers["x-prometheus-remote-write-version"] == "0.1.0"
                    && headers["content-type"] == "application/x-protobuf", "\(headers)")
        }
    }
}
