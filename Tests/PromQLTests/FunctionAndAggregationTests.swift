import TimeSeriesCore
import Testing
@testable import PromQL

/// rate and aggregations over counters with a reset, checked against values worked out by hand
/// from Prometheus' extrapolation rules.
@Suite struct FunctionAndAggregationTests {
    static func counter(_ pod: String, _ ns: String, _ value: (Int64) -> Double) -> Series {
        Series(labels: Labels(["__name__": "c", "pod": pod, "ns": ns]),
               samples: stride(from: Int64(0), through: 600, by: 15).map { Sample(timestamp: $0 * 1000, value: value($0)) })
    }

    let engine = Engine(querier: FixedQuerier(all: [
        counter("1", "a") { Double($0) },
        // Grows 2/s, resets to 0 at 270 s, then grows 2/s again.
        counter("2", "a") { $0 < 270 ? Double($0 * 2) : Double(($0 - 270) * 2) },
        counter("3", "b") { Double($0 * 3) },
    ]))

    func instant(_ query: String, at seconds: Int64 = 300) throws -> [String: Double] {
        guard case .vector(let vector) = try engine.instant(try Parser.parse(query), at: seconds * 1000) else { return [:] }
        return Dictionary(uniqueKeysWithValues: vector.map { ($0.labels.description, $0.value) })
    }

    @Test func rateHandlesResetsAndDropsTheName() throws {
        #expect(try instant("rate(c[1m])") == [#"{ns="a", pod="1"}"#: 1, #"{ns="a", pod="2"}"#: 1.5, #"{ns="b", pod="3"}"#: 3])
        #expect(try instant("increase(c[1m])")[#"{ns="a", pod="2"}"#] == 90)
        #expect(try instant("irate(c[1m])")[#"{ns="a", pod="2"}"#] == 2)
        #expect(try instant("count_over_time(c[1m])")[#"{ns="b", pod="3"}"#] == 5)
        #expect(try instant("last_over_time(c[1m])")[#"c{ns="b", pod="3"}"#] == 900)
        #expect(try instant("max_over_time(c[1m])")[#"{ns="a", pod="2"}"#] == 510)
    }

    @Test func aggregationsGroupByAndWithout() throws {
        #expect(try instant("sum by (ns) (rate(c[1m]))") == [#"{ns="a"}"#: 2.5, #"{ns="b"}"#: 3])
        #expect(try instant("sum(rate(c[1m])) without (pod)") == [#"{ns="a"}"#: 2.5, #"{ns="b"}"#: 3])
        #expect(try instant("sum(rate(c[1m]))") == ["{}": 5.5])
        #expect(try instant("count(c)") == ["{}": 3])
        #expect(try instant("avg by (ns) (rate(c[1m]))")[#"{ns="a"}"#] == 1.25)
        #expect(try instant("max(rate(c[1m]))") == ["{}": 3])
        #expect(try instant("min by (ns) (rate(c[1m]))") == [#"{ns="a"}"#: 1, #"{ns="b"}"#: 3])
        #expect(try instant("group by (ns) (c)") == [#"{ns="a"}"#: 1, #"{ns="b"}"#: 1])
        #expect(try instant("topk(1, rate(c[1m]))") == [#"{ns="b", pod="3"}"#: 3])
        #expect(try instant("topk by (ns) (1, rate(c[1m]))") == [#"{ns="a", pod="2"}"#: 1.5, #"{ns="b", pod="3"}"#: 3])
        #expect(try instant("bottomk(2, c)") == [#"c{ns="a", pod="1"}"#: 300, #"c{ns="a", pod="2"}"#: 60])
        #expect(try instant("topk(0, c)").isEmpty)
    }

    @Test func rangeQueriesEvaluateEveryStep() throws {
        guard case .matrix(let matrix) = try engine.range(try Parser.parse("sum(rate(c[1m]))"), start: 300_000, end: 360_000, step: 30_000) else {
            Issue.record("expected a matrix")
            return
        }
        #expect(matrix.count == 1)
        #expect(matrix.first?.samples.map(\.value) == [5.5, 6, 6])
        #expect(matrix.first?.samples.map(\.timestamp) == [300_000, 330_000, 360_000])
    }

    @Test func duplicateLabelSetsAfterDroppingTheNameAreAnError() throws {
        let engine = Engine(querier: FixedQuerier(all: [
            Series(labels: Labels(["__name__": "x", "a": "1"]), samples: [Sample(timestamp: 0, value: 1), Sample(timestamp: 15_000, value: 2)]),
            Series(labels: Labels(["__name__": "y", "a": "1"]), samples: [Sample(timestamp: 0, value: 1), Sample(timestamp: 15_000, value: 2)]),
        ]))
        #expect(throws: EvaluationError.self) {
            try engine.instant(try Parser.parse(#"rate({a="1"}[1m])"#), at: 15_000)
        }
    }
}

/// NaN's place in ordered results, a NaN quantile, and two series alike once their names are gone.
@Suite struct ExactnessTests {
    static let series = [
        Series(labels: Labels(["__name__": "a", "k": "nan"]), samples: [Sample(timestamp: 0, value: .nan)]),
        Series(labels: Labels(["__name__": "a", "k": "two"]), samples: [Sample(timestamp: 0, value: 2)]),
        Series(labels: Labels(["__name__": "a", "k": "minus"]), samples: [Sample(timestamp: 0, value: -1)]),
        Series(labels: Labels(["__name__": "b", "k": "two"]), samples: [Sample(timestamp: 0, value: 5)]),
    ]
    static let engine = Engine(querier: FixedQuerier(all: series))

    static func order(_ query: String) throws -> [String] {
        guard case .vector(let elements) = try engine.instant(try Parser.parse(query), at: 1000) else { return [] }
        return elements.map { $0.labels["k"] ?? "" }
    }

    @Test(arguments: [("sort(a)", ["minus", "two", "nan"]), ("sort_desc(a)", ["two", "minus", "nan"]),
                      ("topk(3, a)", ["two", "minus", "nan"]), ("bottomk(3, a)", ["minus", "two", "nan"])])
    func nanGoesLast(query: String, expected: [String]) throws {
        #expect(try Self.order(query) == expected)
    }

    @Test func aNaNQuantileIsNaNForEveryBucketSet() throws {
        let buckets = Engine(querier: FixedQuerier(all: [
            Series(labels: Labels(["__name__": "h", "job": "x", "le": "1"]), samples: [Sample(timestamp: 0, value: 1)]),
            Series(labels: Labels(["__name__": "h", "job": "x", "le": "+Inf"]), samples: [Sample(timestamp: 0, value: 2)]),
            Series(labels: Labels(["__name__": "h", "job": "y", "le": "1"]), samples: [Sample(timestamp: 0, value: 1)]),
        ]))
        guard case .vector(let elements) = try buckets.instant(try Parser.parse("histogram_quantile(NaN, h)"), at: 1000) else {
            Issue.record("expected a vector")
            return
        }
        // One set is valid, the other has no +Inf bucket; both answer NaN.
        #expect(elements.count == 2 && elements.allSatisfy(\.value.isNaN))
    }

    @Test(arguments: ["abs({k=\"two\"})", "sum(abs({k=\"two\"}))", "-{k=\"two\"}", "{k=\"two\"} * 2", "sum_over_time({k=\"two\"}[5m])",
                      #"label_replace(a, "k", "same", "", "")"#])
    func seriesAlikeAfterTheNameIsDroppedAreRefused(query: String) {
        #expect(throws: EvaluationError("vector cannot contain metrics with the same labelset")) {
            _ = try Self.engine.instant(try Parser.parse(query), at: 1000)
        }
        #expect(throws: EvaluationError("vector cannot contain metrics with the same labelset")) {
            _ = try Self.engine.range(try Parser.parse(query), start: 0, end: 60_000, step: 15_000)
        }
    }

    @Test(arguments: [("abs(a)", 3), ("last_over_time({k=\"two\"}[5m])", 2), ("abs(a - 1)", 3), ("sum by (k) ({k=\"two\"})", 1)])
    func oneMetricOrKeptNamesAreNotRefused(query: String, count: Int) throws {
        guard case .vector(let elements) = try Self.engine.instant(try Parser.parse(query), at: 1000) else {
            Issue.record("expected a vector")
            return
        }
        #expect(elements.count == count)
    }
}
