import TimeSeriesCore

/// Evaluates parsed expressions against a `SeriesQuerier`, with Prometheus 2.x semantics for
/// selectors: an instant selector takes each series' newest sample in `[t - lookback, t]` unless it
/// is a staleness marker; a range selector takes the samples in `[t - range, t]`, markers excluded.
public struct Engine: Sendable {
    public var lookbackDelta: Int64

    private let querier: any SeriesQuerier

    public init(querier: any SeriesQuerier, lookbackDelta: Int64 = 5 * 60 * 1000) {
        self.querier = querier
        self.lookbackDelta = lookbackDelta
    }

    public func instant(_ expression: Expression, at time: Timestamp) throws(EvaluationError) -> QueryValue {
        switch expression {
        case .number(let value):
            return .scalar(timestamp: time, value: value)
        case .string(let value):
            return .string(timestamp: time, value: value)
        case .vectorSelector(let selector):
            let ref = time - selector.offset
            let series = querier.select(selector.matchers, mint: ref - lookbackDelta, maxt: ref)
            return .vector(series.compactMap { s in
                guard let last = s.samples.last, !StaleNaN.isStale(last.value) else { return nil }
                return VectorElement(labels: s.labels, timestamp: time, value: last.value)
            })
        case .matrixSelector(let selector, let range):
            let ref = time - selector.offset
            let series = querier.select(selector.matchers, mint: ref - range, maxt: ref)
            return .matrix(series.compactMap { s in
                let samples = s.samples.filter { !StaleNaN.isStale($0.value) }
                return samples.isEmpty ? nil : Series(labels: s.labels, samples: samples)
            })
        }
    }

    /// Evaluates at `start`, `start + step`, ... up to `end`; the result is a matrix.
    public func range(_ expression: Expression, start: Timestamp, end: Timestamp, step: Int64) throws(EvaluationError) -> QueryValue {
        guard step > 0 else { throw EvaluationError("zero or negative query resolution step widths are not accepted") }
        guard end >= start else { throw EvaluationError("end timestamp must not be before start time") }
        switch expression {
        case .number(let value):
            return .matrix([Series(labels: .empty, samples: stride(from: start, through: end, by: Int(step)).map {
                Sample(timestamp: $0, value: value)
            })])
        case .string, .matrixSelector:
            throw EvaluationError("invalid expression type \(quoted(expression.typeName)) for range query, must be Scalar or instant Vector")
        case .vectorSelector(let selector):
            let series = querier.select(selector.matchers, mint: start - selector.offset - lookbackDelta, maxt: end - selector.offset)
            return .matrix(series.compactMap { s in
                let points = stepPoints(s.samples, start: start, end: end, step: step, offset: selector.offset)
                return points.isEmpty ? nil : Series(labels: s.labels, samples: points)
            })
        }
    }

    /// One point per step: the newest sample at or before the step within the lookback, if not stale.
    private func stepPoints(_ samples: [Sample], start: Timestamp, end: Timestamp, step: Int64, offset: Int64) -> [Sample] {
        var points: [Sample] = []
        var cursor = 0  // samples[..<cursor] are at or before the current step
        var t = start
        while t <= end {
            let ref = t - offset
            while cursor < samples.count && samples[cursor].timestamp <= ref { cursor += 1 }
            if cursor > 0 {
                let sample = samples[cursor - 1]
                if sample.timestamp >= ref - lookbackDelta && !StaleNaN.isStale(sample.value) {
                    points.append(Sample(timestamp: t, value: sample.value))
                }
            }
            t += step
        }
        return points
    }
}
