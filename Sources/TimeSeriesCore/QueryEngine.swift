/// The query seam: PromQL asked at an instant or over a range, answered as typed values. Rules and
/// scaling policies read metrics only through it, so the embedded engine or any
/// Prometheus-compatible API can stand behind them.
public protocol QueryEngine: Sendable {
    /// The expression's value at `time`.
    func instant(_ query: String, at time: Timestamp) async throws -> QueryValue
    /// The expression evaluated at every `step` milliseconds from `start` through `end`: a matrix
    /// (or, for a scalar expression, one unlabelled series).
    func range(_ query: String, start: Timestamp, end: Timestamp, step: Int64) async throws -> QueryValue
}

/// A query that failed: refused as bad input, failed while running, timed out, or not answered
/// because the engine behind the seam could not be reached.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The Prometheus API's `bad_data`: the query does not parse, or its parameters are wrong.
        case badData = "bad_data"
        case execution
        case timeout
        case canceled
        /// The engine could not be reached, or answered something that is not the API's shape.
        case unavailable
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

extension QueryEngine {
    /// The query's instant vector at `time`, with a scalar as one unlabelled element and
    /// non-finite values left out: what a decision reads.
    public func vector(_ query: String, at time: Timestamp) async throws -> Vector {
        switch try await instant(query, at: time) {
        case .vector(let elements):
            return elements.filter { $0.value.isFinite }
        case .scalar(let timestamp, let value):
            return value.isFinite ? [VectorElement(labels: .empty, timestamp: timestamp, value: value)] : []
        case let other:
            throw QueryError(.execution, "the query returned a \(other.typeName), not a vector")
        }
    }

    /// The query evaluated at each step and summed over its series, finite values only: the
    /// history a forecast learns from.
    public func rangeTotals(_ query: String, start: Timestamp, end: Timestamp, step: Int64) async throws -> [Sample] {
        guard case .matrix(let series) = try await range(query, start: start, end: end, step: step) else { return [] }
        var totals: [Timestamp: Double] = [:]
        for one in series {
            for sample in one.samples where sample.value.isFinite { totals[sample.timestamp, default: 0] += sample.value }
        }
        return totals.sorted { $0.key < $1.key }.map { Sample(timestamp: $0.key, value: $0.value) }
    }
}
