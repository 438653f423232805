import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import Synchronization
import Testing
import TimeSeriesCore
import WireFormat
@testable import HTTPAPI

/// Remote-write sheds load beyond `remote_write_receiver.max_inflight_requests` with a retryable 503 and
/// keeps what it accepted.
@Suite struct OverloadTests {
    @Test func requestsBeyondTheInflightLimitGet503WithRetryAfter() async throws {
        var limits = RemoteWriteLimits()
        limits.maxInflightRequests = 2
        let appender = RecordingAppender()
        let metrics = APIMetrics(registry: PrometheusCollectorRegistry())
        let remoteWrite = RemoteWriteAPI(appender: appender, maxDecodedBytes: 1 << 20, limits: limits, metrics: metrics)
        let router = Router()
        Routes(query: QueryAPI(querier: appenderlessQuerier, now: { 0 }), remoteWrite: remoteWrite, metrics: metrics)
            .register(on: router)
        let body = RemoteWriteEncoder.encode(
            [.init(labels: Labels(["__name__": "x"]).pairs, samples: [Sample(timestamp: 1_000, value: 1)])], version: .v1)
        let headers: HTTPFields = [.contentType: RemoteWriteVersion.v1ContentType, .contentEncoding: "snappy"]

        try await Application(router: router).test(.router) { client in
            // Two requests are being worked on.
            #expect(remoteWrite.gate.enter() && remoteWrite.gate.enter())
            let refused = try await client.execute(uri: "/api/v1/write", method: .post, headers: headers, body: ByteBuffer(bytes: body))
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers[.retryAfter] == "1")
            #expect(String(buffer: refused.body).contains("2 write requests are already in flight (remote_write_receiver.max_inflight_requests)"))
            #expect(appender.samples.withLock { $0 } == 0, "a refused request stores nothing")

            // One finishes: the retry gets through.
            remoteWrite.gate.leave()
            let retried = try await client.execute(uri: "/api/v1/write", method: .post, headers: headers, body: ByteBuffer(bytes: body))
            #expect(retried.status == .noContent)
            #expect(appender.samples.withLock { $0 } == 1)
            remoteWrite.gate.leave()

            let exposition = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(exposition.contains(#"surge_remote_write_requests_total{code="503"} 1"#), "\(exposition)")
            #expect(exposition.contains(#"surge_remote_write_requests_total{code="204"} 1"#), "\(exposition)")
        }
    }

    @Test func theGateNeverGrantsMoreThanItsLimit() async {
        let gate = InflightGate(limit: 3)
        let tally = HoldTally()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<2_000 {
                        guard gate.enter() else { continue }
                        tally.hold()
                        gate.leave()
                    }
                }
            }
        }
        #expect(tally.state.withLock { $0.peak } <= 3)
        #expect(tally.state.withLock { $0.held } == 0)
        // Every slot is free again.
        #expect(gate.enter() && gate.enter() && gate.enter() && !gate.enter())
    }
}

/// Stores what it is given, so the test can see what was accepted.
private final class RecordingAppender: SeriesAppender, Sendable {
    let samples = Mutex(0)
    func append(_ batch: WriteBatch) throws -> AppendResult {
        var result = AppendResult()
        result.samplesAppended = batch.sampleCount
        samples.withLock { $0 += batch.sampleCount }
        return result
    }
}

/// How many holders of a gate slot there are at once, and the most seen.
private final class HoldTally: Sendable {
    let state = Mutex((held: 0, peak: 0))

    func hold() {
        state.withLock { $0.held += 1; $0.peak = max($0.peak, $0.held) }
        state.withLock { $0.held -= 1 }
    }
}

/// Queries are not part of these tests.
private let appenderlessQuerier = EmptyQuerier()

private struct EmptyQuerier: SeriesQuerier {
    func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Series] { [] }
    func series(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Labels] { [] }
    func labelNames(matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String] { [] }
    func labelValues(_ name: String, matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String] { [] }
}
