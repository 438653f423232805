import Foundation
import SurgeCLI
import Testing

/// What `surge query` prints: tables and charts of the query API's `data`.
@Suite struct ResultOutputTests {
    static func data(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func aVectorIsATableWithTheNameFirstAndLabelsSorted() throws {
        let data = try Self.data(#"""
            {"resultType": "vector", "result": [
              {"metric": {"job": "api", "__name__": "up", "instance": "a:1"}, "value": [1700000000, "1"]},
              {"metric": {}, "value": [1700000000.5, "0.25"]}]}
            """#)
        let series = #"up{instance="a:1", job="api"}"#
        func row(_ cells: String...) -> String {
            cells[0].padding(toLength: series.count, withPad: " ", startingAt: 0) + "  " + cells[1].padding(toLength: 24, withPad: " ", startingAt: 0)
                + "  " + cells[2]
        }
        #expect(ResultTable.render(data) == [row("SERIES", "TIME", "VALUE"), row(series, "2023-11-14T22:13:20.000Z", "1"),
                                             row("{}", "2023-11-14T22:13:20.500Z", "0.25")].joined(separator: "\n") + "\n")
    }

    @Test func aMatrixHasARowPerSampleAndEmptyAnswersSaySo() throws {
        let data = try Self.data(#"""
            {"resultType": "matrix", "result": [{"metric": {"__name__": "x"}, "values": [[1, "1"], [2, "2"]]}]}
            """#)
        #expect(ResultTable.render(data).split(separator: "\n").count == 3)
        #expect(ResultTable.render(try Self.data(#"{"resultType": "vector", "result": []}"#)) == "(no data)\n")
        #expect(ResultTable.render(try Self.data(#"{"resultType": "scalar", "result": [1, "3"]}"#)).hasSuffix("3\n"))
        #expect(ResultTable.render(try Self.data(#"{"resultType": "nonsense"}"#)) == "unknown result type nonsense\n")
    }

    @Test func chartsScaleEachSeriesAndLeaveGapsForNaN() throws {
        let data = try Self.data(#"""
            {"resultType": "matrix", "result": [{"metric": {"__name__": "x"}, "values": [[0, "0"], [1, "NaN"], [2, "7"]]}]}
            """#)
        let chart = ResultChart.render(data, width: 3)
        #expect(chart.contains("▁ █"), "\(chart)")
        let bars = ResultChart.render(try Self.data(#"""
            {"resultType": "vector", "result": [{"metric": {"__name__": "a"}, "value": [0, "10"]}, {"metric": {"__name__": "b"}, "value": [0, "5"]}]}
            """#), width: 10)
        let lines = bars.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].filter { $0 == "█" }.count == 10 && lines[1].filter { $0 == "█" }.count == 5, "\(bars)")
    }
}
