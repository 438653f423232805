import TimeSeriesCore

/// Evaluates an expression at every step of `[start, end]` at once: each selector reads storage
/// once for the whole range and walks its series with cursors, step by step.
struct StepEvaluator {
    let querier: any SeriesQuerier
    let lookbackDelta: Int64
    let start: Timestamp
    let end: Timestamp
    let step: Int64

    var stepCount: Int { Int((end - start) / step) + 1 }
    func time(_ index: Int) -> Timestamp { start + Int64(index) * step }

    func evaluate(_ expression: Expression) throws(EvaluationError) -> StepValue {
        switch expression {
        case .number(let value):
            return .scalar(Array(repeating: value, count: stepCount))
        case .string(let value):
            return .string(value)
        case .vectorSelector(let selector):
            return .vector(select(selector))
        case .matrixSelector:
            throw EvaluationError("a range vector cannot be evaluated at steps; use it inside a function such as rate()")
        case .call(let function, let args):
            guard case .matrixSelector(let selector, let range) = args.first else {
                throw EvaluationError("expected a range vector argument for \(function.rawValue)")
            }
            return .vector(call(function, selector, range: range))
        case .aggregate(let aggregation):
            guard case .vector(let input) = try evaluate(aggregation.expression) else {
                throw EvaluationError("expected an instant vector in the aggregation")
            }
            var parameter: Double?
            if let expression = aggregation.parameter {
                guard case .number(let value) = expression else { throw EvaluationError("the aggregation parameter must be a number") }
                parameter = value
            }
            return .vector(Aggregator.aggregate(aggregation, parameter: parameter, input))
        }
    }

    /// An instant selector: per step, each series' newest sample within the lookback, unless stale.
    private func select(_ selector: VectorSelector) -> StepVectors {
        let series = querier.select(selector.matchers, mint: start - selector.offset - lookbackDelta, maxt: end - selector.offset)
        var out = StepVectors(labels: series.map(\.labels), stepCount: stepCount)
        for (id, s) in series.enumerated() {
            let samples = s.samples
            var cursor = 0
            for index in 0..<stepCount {
                let ref = time(index) - selector.offset
                while cursor < samples.count && samples[cursor].timestamp <= ref { cursor += 1 }
                guard cursor > 0 else { continue }
                let sample = samples[cursor - 1]
                if sample.timestamp >= ref - lookbackDelta && !StaleNaN.isStale(sample.value) {
                    out.steps[index].ids.append(id)
                    out.steps[index].values.append(sample.value)
                }
            }
        }
        return out
    }

    /// A range function: per step, the function of each series' samples in `[t - range, t]`.
    private func call(_ function: Function, _ selector: VectorSelector, range: Int64) -> StepVectors {
        let fetched = querier.select(selector.matchers, mint: start - selector.offset - range, maxt: end - selector.offset)
        let keepName = RangeFunctions.keepsMetricName(function)
        var out = StepVectors(labels: fetched.map { keepName ? $0.labels : $0.labels.droppingMetricName() }, stepCount: stepCount)
        for (id, s) in fetched.enumerated() {
            let samples = s.samples.contains { StaleNaN.isStale($0.value) } ? s.samples.filter { !StaleNaN.isStale($0.value) } : s.samples
            var low = 0
            var high = 0
            for index in 0..<stepCount {
                let rangeEnd = time(index) - selector.offset
                let rangeStart = rangeEnd - range
                while high < samples.count && samples[high].timestamp <= rangeEnd { high += 1 }
                while low < high && samples[low].timestamp < rangeStart { low += 1 }
                guard low < high,
                      let value = RangeFunctions.evaluate(function, samples[low..<high], rangeStart: rangeStart, rangeEnd: rangeEnd) else { continue }
                out.steps[index].ids.append(id)
                out.steps[index].values.append(value)
            }
        }
        return out
    }
}

extension Labels {
    func droppingMetricName() -> Labels {
        guard pairs.contains(where: { $0.name == metricNameLabel }) else { return self }
        return Labels(sortedUnique: pairs.filter { $0.name != metricNameLabel })
    }
}
