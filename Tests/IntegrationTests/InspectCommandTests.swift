import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore
import WireFormat

/// `surge tsdb inspect` on the data directory of a running `surge serve`, and its errors.
@Suite(.serialized) struct InspectCommandTests {
    @Test(.timeLimit(.minutes(2)))
    func inspectsTheDirectoryOfARunningServer() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-inspect-cli")
        defer { dir.remove() }
        let data = dir.url.appendingPathComponent("data").path
        let port = try freeLocalPort()
        let surge = try await SurgeBinary.serve(dataDirectory: data, port: port, logURL: dir.url.appendingPathComponent("surge.log"),
                                                arguments: ["--web.enable-admin-api"])
        defer { surge.signal(SIGKILL) }
        let server = "http://127.0.0.1:\(port)"
        let start: Int64 = 1_700_006_400_000
        func write(_ name: String, pods: Int, from: Int64) async throws {
            let batch = (0..<pods).map { pod in
                RemoteWriteEncoder.WireSeries(
                    labels: Labels(["__name__": name, "pod": "pod-\(pod)", "job": "api"]).pairs,
                    samples: (0..<20).map { Sample(timestamp: from + Int64($0) * 15_000, value: Double($0 * pod)) })
            }
            let reply = try await TestHTTP.post("\(server)/api/v1/write", body: RemoteWriteEncoder.encode(batch, version: .v1),
                                                headers: [("Content-Type", RemoteWriteVersion.v1ContentType), ("Content-Encoding", "snappy")])
            #expect(reply.status == 204)
        }
        try await write("requests_total", pods: 5, from: start)
        let flushed = try await TestHTTP.post("\(server)/api/v1/admin/tsdb/flush", body: [], headers: [])
        #expect(flushed.status == 200, "\(flushed.text)")
        try await write("memory_bytes", pods: 3, from: start + 20 * 15_000)

        let run = try await SurgeBinary.run(["tsdb", "inspect", "--data-dir", data, "--limit", "2"])
        #expect(run.status == 0, "\(run.output)")
        let lines = run.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "Blocks: 1")
        let header = try #require(lines.firstIndex { $0.hasPrefix("BLOCK\t") }, "\(run.output)")
        let block = lines[header + 1].split(separator: "\t").map(String.init)
        #expect(block.count == 10 && block[4] == "5" && block[5] == "100" && block[6] == "5" && block[9] == "1",
                "one block of 5 series, 100 samples, 5 chunks, level 1:\n\(run.output)")
        #expect(lines.contains { $0.hasPrefix("Head (from the WAL): 3 series, 60 samples") }, "\(run.output)")
        #expect(lines.contains { $0.hasPrefix("Total: 8 series, 160 samples") }, "\(run.output)")
        func ranking(_ title: String) -> [String] {
            guard let at = lines.firstIndex(of: title) else { return [] }
            return Array(lines[(at + 1)...].prefix { !$0.isEmpty })
        }
        #expect(ranking("Highest cardinality metric names (series):") == ["5\trequests_total", "3\tmemory_bytes"])
        #expect(ranking("Highest cardinality labels (distinct values):") == ["5\tpod", "2\t__name__"])
        #expect(ranking("Most common label pairs (series):") == ["8\tjob=api", "5\t__name__=requests_total"])
        #expect(ranking("Label names with the longest values (bytes of distinct values):") == ["26\t__name__", "25\tpod"])

        let zero = try await SurgeBinary.run(["tsdb", "inspect", "--data-dir", data, "--limit", "0"])
        #expect(zero.status != 0 && zero.output.contains("--limit must be at least 1"), "\(zero.output)")
        let missing = try await SurgeBinary.run(["tsdb", "inspect", "--data-dir", dir.url.appendingPathComponent("nope").path])
        #expect(missing.status != 0 && missing.output.contains("nope: no such directory"), "\(missing.output)")
    }
}
