import TimeSeriesCore

extension RecordingRule {
    /// The series the rule writes for a query result: each renamed to the rule's record, with the
    /// group's and the rule's labels set (an empty value removes a label). Fails as Prometheus does
    /// when two results end up with one label set or the result is over `limit` (0: none).
    public func output(of result: Vector, at time: Timestamp, groupLabels: [String: String] = [:], limit: Int = 0)
        -> Result<Vector, RuleEvaluationError> {
        var out: Vector = []
        out.reserveCapacity(result.count)
        var seen: Set<Labels> = []
        let added = groupLabels.merging(labels) { _, own in own }
        for element in result {
            var pairs = element.labels.dictionary
            pairs[metricNameLabel] = record
            for (name, value) in added { pairs[name] = value }
            let labels = Labels(pairs)
            guard seen.insert(labels).inserted else {
                return .failure(RuleEvaluationError("vector contains metrics with the same labelset after applying rule labels"))
            }
            out.append(VectorElement(labels: labels, timestamp: time, value: element.value))
        }
        if limit > 0 && out.count > limit {
            return .failure(RuleEvaluationError("exceeded limit of \(limit) with \(out.count) series"))
        }
        return .success(out)
    }
}

/// Staleness markers for the series a rule wrote last round and not this one, as Prometheus
/// writes them so that queries stop seeing the series at once.
public func staleMarkers(previous: Set<Labels>, current: Vector, at time: Timestamp) -> Vector {
    let now = Set(current.map(\.labels))
    return previous.subtracting(now).sorted().map { VectorElement(labels: $0, timestamp: time, value: StaleNaN.value) }
}

public struct RuleEvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
