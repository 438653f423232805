import Synchronization
import Testing
import TimeSeriesCore
@testable import PromQL

/// The limits hold inside an evaluation: steps are paid for before their tables exist, the points
/// selectors take and range results return count against the samples limit, and the deadline is
/// looked at while many series are walked. Small limits and a clock that ticks on every reading
/// pin each without timing anything.
@Suite struct QueryLimitsTests {
    static func series(_ count: Int, samples: Int = 40) -> [Series] {
        (0..<count).map { index in
            Series(labels: Labels(["__name__": "x", "i": "\(index)"]),
                   samples: (0..<samples).map { Sample(timestamp: Int64($0) * 15_000, value: Double(index + $0)) })
        }
    }

    static let tooMany = EvaluationError(.tooManySamples, "query processing would load too many samples into memory in query execution")

    /// A clock that moves one millisecond each time it is read.
    final class TickingClock: Sendable {
        let readings = Atomic<Int64>(0)
        var elapsed: @Sendable () -> Duration { { [self] in .milliseconds(self.readings.add(1, ordering: .relaxed).newValue) } }
    }

    @Test func subqueryStepsAreChargedBeforeTheyAreAllocated() throws {
        // 10 days at a second: 864,000 steps, each slot weighing about two samples.
        let engine = Engine(querier: FixedQuerier(all: Self.series(1)), maxSamples: 1_000_000)
        #expect(throws: Self.tooMany) { _ = try engine.instant(try Parser.parse("max_over_time(x[10d:1s])"), at: 600_000) }
        // A day at a second fits.
        _ = try engine.instant(try Parser.parse("max_over_time(x[1d:1s])"), at: 600_000)
        #expect(EvaluationLimits.stepSlotCost >= 1)
    }

    @Test func pointsASubquerysSelectorTakesCount() throws {
        // 100 series over an hour at a second: 360,000 points, more than the limit of 200,000.
        let engine = Engine(querier: FixedQuerier(all: Self.series(100, samples: 240)), maxSamples: 200_000)
        #expect(throws: Self.tooMany) { _ = try engine.instant(try Parser.parse("max_over_time(x[1h:1s])"), at: 3_600_000) }
        #expect(throws: Never.self) { _ = try engine.instant(try Parser.parse("max_over_time(x[10m:1s])"), at: 600_000) }
    }

    @Test func aRangeResultReturnsNoMorePointsThanTheLimit() throws {
        let engine = Engine(querier: FixedQuerier(all: Self.series(100)), maxSamples: 30_000)
        // 100 series at 600 steps of a second, each with a point at every step: 60,000 points.
        #expect(throws: Self.tooMany) { _ = try engine.range(try Parser.parse("x"), start: 0, end: 599_000, step: 1_000) }
        #expect(throws: Self.tooMany) { _ = try engine.range(try Parser.parse("x * 2"), start: 0, end: 599_000, step: 1_000) }
        // At a 10 s step the 6,000 points are answered.
        guard case .matrix(let matrix) = try engine.range(try Parser.parse("x"), start: 0, end: 599_000, step: 10_000) else {
            Issue.record("expected a matrix")
            return
        }
        #expect(matrix.count == 100 && matrix.allSatisfy { $0.samples.count == 60 })
    }

    @Test func theDeadlineIsLookedAtWhileSeriesAreWalked() throws {
        let clock = TickingClock()
        var engine = Engine(querier: FixedQuerier(all: Self.series(500)), timeout: .milliseconds(100))
        engine.elapsed = clock.elapsed
        // One node and one selector: without looking per series the clock would be read a handful of
        // times and the query would finish.
        #expect(throws: EvaluationError(.timeout, "query timed out in expression evaluation")) {
            _ = try engine.range(try Parser.parse("count(x)"), start: 0, end: 300_000, step: 15_000)
        }
        #expect(clock.readings.load(ordering: .relaxed) > 100)
        var generous = engine
        generous.timeout = .seconds(60)
        _ = try generous.range(try Parser.parse("count(x)"), start: 0, end: 300_000, step: 15_000)
    }
}
