import PromQL
import Testing
import TimeSeriesCore

/// The query seam over the embedded engine: typed answers, errors by kind, and the helpers
/// decisions read through.
@Suite struct EmbeddedQueryEngineTests {
    static let engine = EmbeddedQueryEngine(querier: FixedQuerier(all: [
        Series(labels: Labels(["__name__": "rps", "pod": "a"]), samples: (0..<10).map { Sample(timestamp: Int64($0) * 15_000, value: Double($0)) }),
        Series(labels: Labels(["__name__": "rps", "pod": "b"]), samples: (0..<10).map { Sample(timestamp: Int64($0) * 15_000, value: .nan) }),
    ]))

    @Test func answersAndRefusesByKind() async throws {
        #expect(try await Self.engine.instant("1 + 1", at: 0) == .scalar(timestamp: 0, value: 2))
        await #expect(throws: QueryError(.badData, "1:6: parse error: unexpected end of input")) {
            _ = try await Self.engine.instant("rate(", at: 0)
        }
        await #expect(throws: QueryError.self) { _ = try await Self.engine.range("rps", start: 0, end: 10, step: 0) }
        await #expect(throws: QueryError.self) { _ = try await Self.engine.range("rps", start: 10, end: 0, step: 1) }
        let timeout = EmbeddedQueryEngine(engine: Engine(querier: FixedQuerier(all: []), timeout: .zero))
        do {
            _ = try await timeout.instant("vector(1)", at: 0)
            Issue.record("a zero timeout must time out")
        } catch let error as QueryError {
            #expect(error.kind == .timeout)
        }
    }

    @Test func vectorsDropNonFiniteValuesAndTakeScalars() async throws {
        let rps = try await Self.engine.vector("rps", at: 60_000)
        #expect(rps.map { $0.labels["pod"] } == ["a"] && rps.first?.value == 4)
        #expect(try await Self.engine.vector("scalar(rps{pod=\"a\"}) * 2", at: 60_000).map(\.value) == [8])
        await #expect(throws: QueryError.self) { _ = try await Self.engine.vector("rps[1m]", at: 60_000) }
    }

    @Test func rangeTotalsSumTheSeriesAtEachStep() async throws {
        let totals = try await Self.engine.rangeTotals("rps", start: 0, end: 45_000, step: 15_000)
        #expect(totals == [Sample(timestamp: 0, value: 0), Sample(timestamp: 15_000, value: 1), Sample(timestamp: 30_000, value: 2),
                           Sample(timestamp: 45_000, value: 3)])
    }
}
