import Foundation
import SurgeTestKit
import TimeSeriesCore
import Testing
import WireFormat

/// Every acknowledged sample survives a SIGKILL of the real server.
@Suite(.serialized) struct RestartTests {
    @Test(.timeLimit(.minutes(3)))
    func acknowledgedSamplesSurviveSIGKILL() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-restart")
        defer { dir.remove() }
        let port = try freeLocalPort()
        let dataDirectory = dir.url.appendingPathComponent("data").path
        var surge = try await SurgeBinary.serve(dataDirectory: dataDirectory, port: port, logURL: dir.url.appendingPathComponent("1.log"))
        let base = "http://127.0.0.1:\(port)"
        var acknowledged: [Labels: [Sample]] = [:]
        let start: Int64 = 1_700_000_000_000
        for round in 0..<40 {
            var batch: [RemoteWriteEncoder.WireSeries] = []
            for s in 0..<25 {
                let labels = Labels(["__name__": "restart_metric", "series": "\(s)", "shard": "\(s % 4)"])
                let value = round == 39 && s == 3 ? StaleNaN.value : Double(round * 1000 + s) / 7
                batch.append(.init(labels: labels.pairs, samples: [Sample(timestamp: start + Int64(round) * 15_000, value: value)]))
            }
            let version: RemoteWriteVersion = round % 2 == 0 ? .v1 : .v2
            let reply = try await TestHTTP.post(
                "\(base)/api/v1/write", body: RemoteWriteEncoder.encode(batch, version: version),
                headers: [("Content-Type", version == .v2 ? RemoteWriteVersion.v2ContentType : RemoteWriteVersion.v1ContentType),
                          ("Content-Encoding", "snappy")])
            #expect(reply.status == 204, "\(reply.text)")
            if reply.status == 204 {
                for entry in batch { acknowledged[Labels(sortedUnique: entry.labels), default: []].append(contentsOf: entry.samples) }
            }
        }
        #expect(await surge.stop(signal: SIGKILL) == nil || !surge.isRunning)

        surge = try await SurgeBinary.serve(dataDirectory: dataDirectory, port: port, logURL: dir.url.appendingPathComponent("2.log"))
        defer { surge.signal(SIGKILL) }
        // A range selector over the whole span returns every raw sample (stale markers excepted).
        let end = Double(start + 40 * 15_000) / 1000
        let reply = try await TestHTTP.get("\(base)/api/v1/query?query=\(TestHTTP.urlEncode("restart_metric[15m]"))&time=\(end)")
        let json = try reply.json()
        let result = ((json["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
        #expect(result.count == 25)
        var restored: [Labels: [Sample]] = [:]
        for element in result {
            let labels = Labels(element["metric"] as? [String: String] ?? [:])
            for point in element["values"] as? [[Any]] ?? [] {
                let t = Int64(((point[0] as? NSNumber)?.doubleValue ?? 0) * 1000 + 0.5)
                restored[labels, default: []].append(Sample(timestamp: t, value: Double(point[1] as? String ?? "") ?? .nan))
            }
        }
        for (labels, samples) in acknowledged {
            let expected = samples.filter { !StaleNaN.isStale($0.value) }
            let got = restored[labels] ?? []
            #expect(got.count == expected.count, "\(labels)")
            for (e, g) in zip(expected, got) {
                #expect(e.timestamp == g.timestamp)
                #expect(abs(e.value - g.value) <= 1e-12 * max(1, abs(e.value)))
            }
        }
        // The stale marker came back too: the series that ended is absent from an instant query.
        let instant = try await TestHTTP.get("\(base)/api/v1/query?query=\(TestHTTP.urlEncode("restart_metric"))&time=\(end)")
        let instantResult = ((try instant.json()["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
        #expect(instantResult.count == 24)
        #expect(!instantResult.contains { ($0["metric"] as? [String: String])?["series"] == "3" })
    }
}
