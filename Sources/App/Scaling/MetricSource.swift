import Foundation

/// One series of an instant query's answer.
public struct LiveSample: Sendable, Equatable {
    public var labels: [String: String]
    public var value: Double

    public init(labels: [String: String], value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// Where live decisions read their metrics: Surge's own storage in-process, or any
/// Prometheus-compatible query API over HTTP.
public protocol MetricSource: Sendable {
    /// The query's instant vector (or scalar, as one unlabelled sample) at `time`; non-finite
    /// values are left out.
    func instant(_ query: String, at time: Date) async throws -> [LiveSample]
    /// The query evaluated at each step, summed over its series: the history a forecast learns from.
    func rangeTotals(_ query: String, from start: Date, through end: Date, step: TimeInterval) async throws -> [(time: Date, value: Double)]
}

/// A metric query that failed: the source could not be reached, or refused the query.
public struct MetricSourceError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) { self.description = description }
}
