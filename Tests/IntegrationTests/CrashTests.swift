import Foundation
import Synchronization
import SurgeTestKit
import TimeSeriesCore
import Testing
import WireFormat

/// Sustained remote-write while the server is SIGKILLed at random moments, with blocks cut, merged
/// and checkpointed underneath: every sample answered with a 2xx must be queryable afterwards.
@Suite(.serialized) struct CrashTests {
    static let series = 30
    static let start: Int64 = 1_700_000_000_000
    /// Synthetic time runs 120 times faster than the wall clock, so the run spans many 1-minute blocks.
    static let speedup: Int64 = 120

    final class Acknowledged: Sendable {
        let samples = Mutex<[Int: [Sample]]>([:])
        func add(_ series: Int, _ sample: Sample) { samples.withLock { $0[series, default: []].append(sample) } }
    }

    static func labels(_ s: Int) -> Labels {
        Labels(["__name__": "crash_metric", "series": "\(s)", "writer": "\(s % 2)"])
    }

    /// Sends batches for the writer's series until a request fails (the server died).
    static func write(writer: Int, base: String, clock: ContinuousClock.Instant, last: inout Int64, acked: Acknowledged) async {
        var value = Double(last)
        while true {
            let now = start + Int64((ContinuousClock.now - clock).components.seconds * 1000
                + (ContinuousClock.now - clock).components.attoseconds / 1_000_000_000_000_000) * speedup
            let t = max(now, last + 1)
            last = t
            value += 1
            let mine = (0..<series).filter { $0 % 2 == writer }
            let batch = mine.map { RemoteWriteEncoder.WireSeries(labels: labels($0).pairs, samples: [Sample(timestamp: t, value: value)]) }
            let reply = try? await TestHTTP.post(
                "\(base)/api/v1/write", body: RemoteWriteEncoder.encode(batch, version: .v1),
                headers: [("Content-Type", RemoteWriteVersion.v1ContentType), ("Content-Encoding", "snappy")])
            guard let reply else { return }
            if reply.status == 204 {
                for s in mine { acked.add(s, Sample(timestamp: t, value: value)) }
            } else if reply.status >= 500 || reply.status == 429 {
                return
            }
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func acknowledgedSamplesSurviveRepeatedSIGKILLDuringIngestionAndCompaction() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-crash")
        defer { dir.remove() }
        let config = dir.url.appendingPathComponent("surge.yml")
        try """
            storage:
              block_duration: 1m
              maintenance_interval: 1s
            """.write(to: config, atomically: true, encoding: .utf8)
        let dataDirectory = dir.url.appendingPathComponent("data").path
        let acked = Acknowledged()
        let clock = ContinuousClock.now
        var lasts: [Int64] = [0, 0]
        var (rng, _) = SplitMix.forTest("crash rounds", defaultSeed: 6)
        for round in 0..<6 {
            let port = try freeLocalPort()
            let surge = try await SurgeBinary.serve(
                dataDirectory: dataDirectory, port: port, logURL: dir.url.appendingPathComponent("\(round).log"), configPath: config.path)
            let base = "http://127.0.0.1:\(port)"
            let killAfter = Duration.milliseconds(Int.random(in: 700...2500, using: &rng))
            let (from0, from1) = (lasts[0], lasts[1])
            async let first: Int64 = { var last = from0; await Self.write(writer: 0, base: base, clock: clock, last: &last, acked: acked); return last }()
            async let second: Int64 = { var last = from1; await Self.write(writer: 1, base: base, clock: clock, last: &last, acked: acked); return last }()
            try await Task.sleep(for: killAfter)
            surge.signal(SIGKILL)
            lasts = [await first, await second]
            _ = await surge.stop(signal: SIGKILL)
        }

        let port = try freeLocalPort()
        let surge = try await SurgeBinary.serve(
            dataDirectory: dataDirectory, port: port, logURL: dir.url.appendingPathComponent("final.log"), configPath: config.path)
        defer { surge.signal(SIGKILL) }
        let expected = acked.samples.withLock { $0 }
        let total = expected.values.reduce(0) { $0 + $1.count }
        #expect(total > 200, "the writers got too few acknowledgements to test anything")
        let end = Double(max(lasts[0], lasts[1]) + 1) / 1000
        let reply = try await TestHTTP.get("http://127.0.0.1:\(port)/api/v1/query?query=\(TestHTTP.urlEncode("crash_metric[1d]"))&time=\(end)")
        let result = ((try reply.json()["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
        var restored: [Int: [Int64: Double]] = [:]
        for element in result {
            guard let s = Int((element["metric"] as? [String: String])?["series"] ?? "") else { continue }
            for point in element["values"] as? [[Any]] ?? [] {
                let t = Int64(((point[0] as? NSNumber)?.doubleValue ?? 0) * 1000 + 0.5)
                restored[s, default: [:]][t] = Double(point[1] as? String ?? "")
            }
        }
        var missing = 0
        for (s, samples) in expected {
            for sample in samples where restored[s]?[sample.timestamp] != sample.value { missing += 1 }
        }
        #expect(missing == 0, "\(missing) of \(total) acknowledged samples are missing or changed")
        // The run really did cut and merge blocks while being killed.
        let blocks = try FileManager.default.contentsOfDirectory(atPath: dataDirectory).filter { $0.count == 26 }
        #expect(!blocks.isEmpty)
    }
}
