import Foundation
import SurgeTestKit
import Testing
import WireFormat

/// The same data is remote-written into Surge and into Debian's Prometheus 2.42; every query of
/// `DifferentialQueries` runs through both HTTP APIs, as instant queries at three times and as a range
/// query, and the answers must agree.
@Suite(.serialized) struct DifferentialTests {
    static let instantTimes = ["\(DifferentialData.start + 1800)", "\(DifferentialData.start + 1215).5", "\(DifferentialData.end)"]
    static let ranges = [
        (start: "\(DifferentialData.start + 300)", end: "\(DifferentialData.end)", step: "60"),
        (start: "\(DifferentialData.start + 317).25", end: "\(DifferentialData.end - 200)", step: "45.5"),
    ]

    struct Tally {
        var runs = 0, withData = 0, errors = 0, points = 0

        var rejected: [String] = []

        mutating func count(_ answer: QueryAnswer, query: String) {
            runs += 1
            if let type = answer.errorType {
                errors += 1
                let line = "\(query): \(type): \(answer.error ?? "")"
                if rejected.last != line { rejected.append(line) }
            }
            let points = answer.entries.reduce(0) { $0 + $1.points.count }
            if points > 0 { withData += 1 }
            self.points += points
        }
    }

    @Test(.timeLimit(.minutes(4)))
    func surgeAnswersEveryQueryLikePrometheus() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-differential")
        defer { dir.remove() }
        let pair = try await SurgeBesidePrometheus.start(in: dir) { _, promPort in
            try startPrometheusReceiver(port: promPort, directory: dir)
        }
        defer { pair.kill() }
        let (surge, prometheus, surgeURL, promURL) = (pair.surge, pair.prometheus, pair.surgeURL, pair.promURL)

        for batch in DifferentialData.requests() {
            let body = RemoteWriteEncoder.encode(batch, version: .v1)
            let headers = [("Content-Type", RemoteWriteVersion.v1ContentType), ("Content-Encoding", "snappy"),
                           ("X-Prometheus-Remote-Write-Version", "0.1.0")]
            for base in [surgeURL, promURL] {
                let reply = try await TestHTTP.post("\(base)/api/v1/write", body: body, headers: headers)
                try #require(reply.status / 100 == 2, "\(base) refused a write: \(reply.status) \(reply.text)")
            }
        }

        var matching = 0
        var tally = Tally()
        var report: [String] = []
        let queries = DifferentialQueries.all
        for query in queries {
            // Ordered results: sort functions, and topk/bottomk of a single group.
            let ordered = query.hasPrefix("sort") || ((query.hasPrefix("topk(") || query.hasPrefix("bottomk(")) && !query.contains(" by "))
            var differences: [String] = []
            var rangeWanted = false
            for time in Self.instantTimes {
                let path = "/api/v1/query?query=\(TestHTTP.urlEncode(query))&time=\(time)"
                let expected = try QueryAnswer(reply: try await TestHTTP.get(promURL + path), ordered: ordered)
                let actual = try QueryAnswer(reply: try await TestHTTP.get(surgeURL + path), ordered: ordered)
                if let difference = actual.difference(from: expected) {
                    differences.append("instant at \(time): \(difference)\n    surge: \(actual)\n    prometheus: \(expected)")
                }
                rangeWanted = rangeWanted || expected.resultType == "vector" || expected.resultType == "scalar"
                tally.count(expected, query: query)
            }
            for range in Self.ranges where rangeWanted {
                let path = "/api/v1/query_range?query=\(TestHTTP.urlEncode(query))&start=\(range.start)&end=\(range.end)&step=\(range.step)"
                let expected = try QueryAnswer(reply: try await TestHTTP.get(promURL + path), ordered: false)
                let actual = try QueryAnswer(reply: try await TestHTTP.get(surgeURL + path), ordered: false)
                tally.count(expected, query: query)
                if let difference = actual.difference(from: expected) {
                    differences.append("range from \(range.start) step \(range.step): \(difference)\n    surge: \(actual)\n    prometheus: \(expected)")
                }
            }
            if differences.isEmpty {
                matching += 1
            } else {
                report.append("\(query)\n  " + differences.joined(separator: "\n  "))
            }
        }
        print("differential: \(matching) of \(queries.count) queries answered identically by Surge and Prometheus "
            + "(\(tally.runs) runs: \(tally.withData) with data, \(tally.points) points in all, \(tally.errors) errors)")
        #expect(queries.count >= 150)
        // The comparison means something only if Prometheus mostly answered with data.
        #expect(tally.withData * 10 >= tally.runs * 8, "too few answers carried data")
        print("differential: both servers rejected:\n  " + tally.rejected.joined(separator: "\n  "))
        #expect(report.isEmpty, "\(report.count) queries differ:\n\(report.joined(separator: "\n"))")
        // The same answers through the typed query seam over HTTP.
        let seam = await QuerySeamComparison.differences(surge: surgeURL, prometheus: promURL, at: (DifferentialData.start + 1800) * 1000,
                                                         start: (DifferentialData.start + 300) * 1000, end: DifferentialData.end * 1000)
        #expect(seam.isEmpty, "the query seam's answers differ:\n\(seam.joined(separator: "\n"))")
        // The same head, described by both.
        let status = try TSDBStatusComparison(actual: try await TestHTTP.get(surgeURL + "/api/v1/status/tsdb"),
                                              expected: try await TestHTTP.get(promURL + "/api/v1/status/tsdb"))
        print("differential: /api/v1/status/tsdb chunkCount \(status.chunkCounts.actual) in Surge, \(status.chunkCounts.expected) in Prometheus")
        #expect(status.differences.isEmpty, "/api/v1/status/tsdb differs:\n\(status.differences.joined(separator: "\n"))")
        await prometheus.stop()
        #expect(await surge.stop() == 0)
    }
}
