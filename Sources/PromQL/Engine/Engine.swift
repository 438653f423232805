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
        case .call, .aggregate:
            let evaluator = StepEvaluator(querier: querier, lookbackDelta: lookbackDelta, start: time, end: time, step: 1)
            guard case .vector(let vectors) = try evaluator.evaluate(expression) else { return .vector([]) }
            let step = vectors.steps[0]
            try Self.checkUnique(vectors)
            return .vector(zip(step.ids, step.values)
                .map { VectorElement(labels: vectors.labels[$0.0], timestamp: time, value: $0.1) }
                .sorted { $0.labels < $1.labels })
        }
    }

    /// Prometheus refuses a result in which two elements of one step share a label set.
    private static func checkUnique(_ vectors: StepVectors) throws(EvaluationError) {
        guard Set(vectors.labels).count != vectors.labels.count else { return }
        for step in vectors.steps {
            var seen = Set<Labels>()
            for id in step.ids where !seen.insert(vectors.labels[id]).inserted {
                throw EvaluationError("vector cannot contain metrics with the same labelset")
            }
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
        case .vectorSelector, .call, .aggregate:
            let evaluator = StepEvaluator(querier: querier, lookbackDelta: lookbackDelta, start: start, end: end, step: step)
            guard case .vector(let vectors) = try evaluator.evaluate(expression) else { return .matrix([]) }
            try Self.checkUnique(vectors)
            var points = [[Sample]](repeating: [], count: vectors.labels.count)
            for (index, values) in vectors.steps.enumerated() {
                let t = evaluator.time(index)
                for (id, value) in zip(values.ids, values.values) { points[id].append(Sample(timestamp: t, value: value)) }
            }
            return .matrix(zip(vectors.labels, points).compactMap { $0.1.isEmpty ? nil : Series(labels: $0.0, samples: $0.1) }
                .sorted { $0.labels < $1.labels })
        }
    }
}
