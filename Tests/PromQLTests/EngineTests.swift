import TimeSeriesCore
import Testing
@testable import PromQL

/// A querier over fixed series, so engine semantics are tested without storage.
struct FixedQuerier: SeriesQuerier {
    let all: [Series]

    func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Series] {
        all.compactMap { s in
            guard matchers.allSatisfy({ $0.matches(s.labels[$0.name] ?? "") }) else { return nil }
            let samples = s.samples.filter { $0.timestamp >= mint && $0.timestamp <= maxt }
            return samples.isEmpty ? nil : Series(labels: s.labels, samples: samples)
        }
    }
    func series(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Labels] {
        select(matchers, mint: mint, maxt: maxt).map(\.labels)
    }
    func labelNames(matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String] { [] }
    func labelValues(_ name: String, matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String] { [] }
}

private let minute: Int64 = 60_000

@Suite struct EngineTests {
    let engine = Engine(querier: FixedQuerier(all: [
        // Every minute from 0 to 10m.
        Series(labels: Labels(["__name__": "a", "job": "x"]), samples: (0...10).map { Sample(timestamp: $0 * minute, value: Double($0)) }),
        // Ends with a staleness marker at 3m.
        Series(labels: Labels(["__name__": "b"]), samples: [Sample(timestamp: 0, value: 1), Sample(timestamp: 2 * minute, value: 2),
                                                             Sample(timestamp: 3 * minute, value: StaleNaN.value)]),
    ]))

    func values(_ query: String, at t: Int64) throws -> [String: Double] {
        guard case .vector(let vector) = try engine.instant(try Parser.parse(query), at: t) else { return [:] }
        return Dictionary(uniqueKeysWithValues: vector.map { ($0.labels.metricName ?? "", $0.value) })
    }

    @Test func instantSelectorTakesTheNewestSampleWithinLookback() throws {
        #expect(try values("a", at: 10 * minute + 30_000) == ["a": 10])
        // The sample exactly five minutes back is still inside the lookback window, as in Prometheus 2.x.
        #expect(try values("a", at: 15 * minute) == ["a": 10])
        #expect(try values("a", at: 15 * minute + 1) == [:])
    }

    @Test func stalenessMarkerEndsASeries() throws {
        #expect(try values("b", at: 2 * minute + 59_000) == ["b": 2])
        #expect(try values("b", at: 3 * minute) == [:])
        #expect(try values("b", at: 4 * minute) == [:])
    }

    @Test func offsetShiftsTheEvaluationTime() throws {
        #expect(try values("a offset 3m", at: 10 * minute) == ["a": 7])
        #expect(try values("a offset -2m", at: 5 * minute) == ["a": 7])
    }

    @Test func queriesLoadingTooManySamplesAreRefused() throws {
        var limited = engine
        limited.maxSamples = 8  // `a[10m]` holds 11 samples, `a` at 10m reads 6
        #expect(throws: EvaluationError(.tooManySamples, "query processing would load too many samples into memory in query execution")) {
            try limited.instant(try Parser.parse("sum_over_time(a[10m])"), at: 10 * minute)
        }
        #expect(try limited.instant(try Parser.parse("a"), at: 10 * minute) != .vector([]))
    }

    @Test func subqueryStepsCountAgainstTheSamplesLimitBeforeTheyAreAllocated() throws {
        let tooMany = EvaluationError(.tooManySamples, "query processing would load too many samples into memory in query execution")
        // A year at millisecond resolution is 3.2e10 steps; refused before any is allocated.
        #expect(throws: tooMany) { try engine.instant(try Parser.parse("rate(vector(1)[1y:1ms])"), at: 10 * minute) }
        var limited = engine
        limited.maxSamples = 200  // 601 steps at a second weigh more; 61 at ten seconds less
        #expect(throws: tooMany) { try limited.instant(try Parser.parse("max_over_time(vector(1)[10m:1s])"), at: 10 * minute) }
        #expect(try limited.instant(try Parser.parse("max_over_time(vector(1)[10m:10s])"), at: 10 * minute) != .vector([]))
    }

    @Test(.timeLimit(.minutes(1)))
    func theDeadlineStopsALongRangeFunction() throws {
        // 172,800 steps of a one-day window at one-second resolution: minutes of work.
        var limited = engine
        limited.timeout = .milliseconds(300)
        #expect(throws: EvaluationError(.timeout, "query timed out in expression evaluation")) {
            try limited.instant(try Parser.parse("rate(rate(vector(1)[1d:1s])[1d:1s])"), at: 10 * minute)
        }
    }

    @Test func anExpiredDeadlineStopsTheQuery() throws {
        var limited = engine
        limited.timeout = .zero
        #expect(throws: EvaluationError(.timeout, "query timed out in expression evaluation")) {
            try limited.range(try Parser.parse("sum(rate(a[5m]))"), start: 0, end: 10 * minute, step: 1000)
        }
    }

    @Test func instantResultsCarryTheEvaluationTimestamp() throws {
        guard case .vector(let vector) = try engine.instant(try Parser.parse("a"), at: 123_456) else { Issue.record("not a vector"); return }
        #expect(vector.map(\.timestamp) == [123_456])
    }

    @Test func rangeSelectorIncludesBothEndsAndDropsMarkers() throws {
        guard case .matrix(let matrix) = try engine.instant(try Parser.parse("a[2m]"), at: 5 * minute) else { Issue.record("not a matrix"); return }
        #expect(matrix.first?.samples.map(\.value) == [3, 4, 5])
        guard case .matrix(let stale) = try engine.instant(try Parser.parse("b[10m]"), at: 5 * minute) else { Issue.record("not a matrix"); return }
        #expect(stale.first?.samples.map(\.value) == [1, 2])
    }

    @Test func rangeQueryStepsThroughTime() throws {
        guard case .matrix(let matrix) = try engine.range(try Parser.parse("b"), start: 0, end: 5 * minute, step: minute) else {
            Issue.record("not a matrix"); return
        }
        #expect(matrix.count == 1)
        #expect(matrix[0].samples.map(\.timestamp) == [0, minute, 2 * minute])
        #expect(matrix[0].samples.map(\.value) == [1, 1, 2])
    }

    @Test func rangeQueryOfARangeVectorIsRefused() throws {
        #expect(throws: EvaluationError.self) {
            try engine.range(try Parser.parse("a[5m]"), start: 0, end: minute, step: 1000)
        }
    }

    @Test func scalarsAndStrings() throws {
        #expect(try engine.instant(.number(2.5), at: 7) == .scalar(timestamp: 7, value: 2.5))
        #expect(try engine.instant(.string("hi"), at: 7) == .string(timestamp: 7, value: "hi"))
        guard case .matrix(let matrix) = try engine.range(.number(1), start: 0, end: 2000, step: 1000) else { Issue.record("not a matrix"); return }
        #expect(matrix == [Series(labels: .empty, samples: [0, 1000, 2000].map { Sample(timestamp: $0, value: 1) })])
    }
}
