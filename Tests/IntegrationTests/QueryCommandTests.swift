import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore
import WireFormat

/// `surge query` against a running `surge serve`: table, JSON and chart output, and its errors.
@Suite(.serialized) struct QueryCommandTests {
    @Test(.timeLimit(.minutes(2)))
    func printsTablesJSONAndCharts() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-query-cli")
        defer { dir.remove() }
        let port = try freeLocalPort()
        let surge = try await SurgeBinary.serve(dataDirectory: dir.url.appendingPathComponent("data").path, port: port,
                                                logURL: dir.url.appendingPathComponent("surge.log"))
        defer { surge.signal(SIGKILL) }
        let server = "http://127.0.0.1:\(port)"
        let start: Int64 = 1_700_000_000
        let batch = ["a", "b"].map { pod in
            RemoteWriteEncoder.WireSeries(
                labels: Labels(["__name__": "load", "pod": pod]).pairs,
                samples: (0..<40).map { Sample(timestamp: (start + Int64($0) * 15) * 1000, value: pod == "a" ? Double($0) : Double(40 - $0)) })
        }
        let reply = try await TestHTTP.post("\(server)/api/v1/write", body: RemoteWriteEncoder.encode(batch, version: .v1),
                                            headers: [("Content-Type", RemoteWriteVersion.v1ContentType), ("Content-Encoding", "snappy")])
        #expect(reply.status == 204)

        let table = try await SurgeBinary.run(["query", "load", "--time", "\(start + 585)", "--server", server])
        #expect(table.status == 0)
        #expect(table.output.contains(#"load{pod="a"}"#) && table.output.contains("2023-11-14T22:23:05.000Z  39"), "\(table.output)")

        let json = try await SurgeBinary.run(["query", "sum(load)", "--time", "\(start + 585)", "--server", server, "-o", "json"])
        #expect(json.output.contains(#""result":[{"metric":{},"value":[1700000585,"40"]}]"#), "\(json.output)")

        let bars = try await SurgeBinary.run(["query", "load", "--time", "\(start + 585)", "--server", server, "-o", "chart", "--width", "39"])
        let barLines = bars.output.split(separator: "\n")
        #expect(barLines.count == 2)
        #expect(barLines.first { $0.hasPrefix(#"load{pod="a"}"#) }?.filter { $0 == "█" }.count == 39, "\(bars.output)")
        #expect(barLines.first { $0.hasPrefix(#"load{pod="b"}"#) }?.filter { $0 == "█" }.count == 1, "\(bars.output)")

        let lines = try await SurgeBinary.run(["query", "load", "--start", "\(start)", "--end", "\(start + 585)", "--step", "15s",
                                               "--server", server, "-o", "chart", "--width", "40"])
        #expect(lines.status == 0)
        let rising = try #require(lines.output.split(separator: "\n").first { $0.hasPrefix(#"load{pod="a"}"#) })
        #expect(rising.contains("  ▁▁▁▂▂") && rising.contains("▇▇███  min 0 max 39 last 39"), "\(lines.output)")
        let falling = try #require(lines.output.split(separator: "\n").first { $0.hasPrefix(#"load{pod="b"}"#) })
        #expect(falling.contains("  ███▇▇") && falling.contains("▂▂▁▁▁  min 1 max 40 last 1"), "\(lines.output)")

        let bad = try await SurgeBinary.run(["query", "rate(load)", "--server", server])
        #expect(bad.status != 0)
        #expect(bad.output.contains("bad_data") && bad.output.contains("expected type range vector"), "\(bad.output)")
        let unreachable = try await SurgeBinary.run(["query", "up", "--server", "http://127.0.0.1:1"])
        #expect(unreachable.status != 0 && unreachable.output.contains("cannot reach"), "\(unreachable.output)")
    }
}
