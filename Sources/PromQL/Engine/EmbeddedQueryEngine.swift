import Dispatch
import TimeSeriesCore

/// The query seam over the embedded engine: parses, then evaluates against a `SeriesQuerier`
/// in-process, with no HTTP between a sample's arrival and the decision that reads it. Instant
/// queries run in the caller's task; a range query, which may span days, runs on a dispatch queue
/// so it never holds an event loop.
public struct EmbeddedQueryEngine: QueryEngine {
    public let engine: Engine

    public init(engine: Engine) {
        self.engine = engine
    }

    public init(querier: any SeriesQuerier, lookbackDelta: Int64 = 5 * 60 * 1000, timeout: Duration = .seconds(30)) {
        engine = Engine(querier: querier, lookbackDelta: lookbackDelta, timeout: timeout)
    }

    public func instant(_ query: String, at time: Timestamp) async throws -> QueryValue {
        let expression = try Self.parse(query)
        do { return try engine.instant(expression, at: time) } catch { throw Self.queryError(error) }
    }

    public func range(_ query: String, start: Timestamp, end: Timestamp, step: Int64) async throws -> QueryValue {
        let expression = try Self.parse(query)
        guard step > 0 else { throw QueryError(.badData, "zero or negative query resolution step widths are not accepted. Try a positive integer") }
        guard end >= start else { throw QueryError(.badData, "end timestamp must not be before start time") }
        let engine = engine
        let result: Result<QueryValue, EvaluationError> = await withCheckedContinuation { done in
            DispatchQueue.global().async {
                done.resume(returning: Result { () throws(EvaluationError) in try engine.range(expression, start: start, end: end, step: step) })
            }
        }
        do { return try result.get() } catch { throw Self.queryError(error) }
    }

    /// An instant query run in the caller's thread, for callers that cannot wait (rule
    /// templates' `query`).
    public var synchronousQuery: @Sendable (String, Timestamp) throws -> QueryValue {
        { [engine] query, time in
            let expression = try Self.parse(query)
            do throws(EvaluationError) { return try engine.instant(expression, at: time) } catch { throw Self.queryError(error) }
        }
    }

    static func parse(_ query: String) throws(QueryError) -> Expression {
        do { return try Parser.parse(query) } catch { throw QueryError(.badData, "\(error)") }
    }

    static func queryError(_ error: EvaluationError) -> QueryError {
        switch error.kind {
        case .timeout: QueryError(.timeout, error.description)
        case .execution, .tooManySamples: QueryError(.execution, error.description)
        }
    }
}
