import NIOCore
import NIOPosix
import Testing
@testable import HTTPAPI
import TimeSeriesCore

@Suite struct WorkPlacementTests {
    @Test func longWorkRunsOnThePoolNotOnALoop() async throws {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        let placement = WorkPlacement(pool: pool)
        for _ in 0..<4 {
            let onLoop = await placement.offload { MultiThreadedEventLoopGroup.currentEventLoop != nil }
            #expect(!onLoop)
        }
        try await pool.shutdownGracefully()
    }

    @Test func workStillRunsWithoutThePool() async throws {
        let placement = WorkPlacement(pool: NIOThreadPool(numberOfThreads: 1))  // never started
        #expect(await placement.offload { 42 } == 42)
    }
}

/// A querier holding `count` series of `big` and one of `one`; only label sets matter here.
private struct CountingQuerier: SeriesQuerier {
    let count: Int
    var all: [Labels] {
        (0..<count).map { Labels(["__name__": "big", "i": String($0)]) } + [Labels(["__name__": "one"])]
    }
    func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Series] {
        series(matchers, mint: mint, maxt: maxt).map { Series(labels: $0, samples: []) }
    }
    func series(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Labels] {
        all.filter { labels in matchers.allSatisfy { $0.matches(labels[$0.name] ?? "") } }
    }
    func labelNames(matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String] { [] }
    func labelValues(_ name: String, matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String] { [] }
}

@Suite struct QuerySizeTests {
    let api = QueryAPI(querier: CountingQuerier(count: 1_000), now: { 0 })

    private func parameters(_ query: String, range: Bool = true) -> FormParameters {
        FormParameters(pairs: [("query", query)] + (range ? [("start", "0"), ("end", "3600"), ("step", "15")] : []))
    }

    @Test(arguments: [
        ("one", true, true),                               // 1 series x 241 steps
        ("big", true, false),                              // 1,000 x 241 steps
        ("big", false, true),                              // 1,000 series at one instant
        ("sum(rate(big[5m])) / sum(rate(one[5m]))", false, true),
        ("sum(rate(big[5m])) / sum(rate(one[5m]))", true, false),
        ("max_over_time(one[10m:1m])", false, false),      // subqueries never run inline
        ("1 + 1", true, true),
        ("sum(", true, true),                              // fails at once, wherever it runs
        (Array(repeating: "1", count: 3_000).joined(separator: "+"), false, false),  // a long query is parsed off the loop
    ])
    func smallQueriesRunInline(query: String, range: Bool, small: Bool) {
        let answer = range ? api.rangeQuery(parameters(query)) : api.instantQuery(parameters(query, range: false))
        #expect(answer.small == small)
    }
}
