import TimeSeriesCore

/// The range-vector functions, computed over one series' samples in a window, as Prometheus 2.x
/// computes them (including its extrapolation for `rate`, `increase` and `delta`).
enum RangeFunctions {
    /// Applies `function` at every step to each series' window; `scalars` are the function's other
    /// (scalar) arguments, per step, in order.
    static func apply(_ function: Function, _ input: RangeInput, scalars: [[Double]],
                      evaluator: StepEvaluator) throws(EvaluationError) -> StepVectors {
        let steps = evaluator.stepCount
        if function == .absentOverTime {
            var present = [Bool](repeating: false, count: steps)
            try forEachWindow(input, evaluator) { _, index, window, _, _ in if !window.isEmpty { present[index] = true } }
            var out = StepVectors(labels: [InstantFunctions.absentLabels(input.matchers)], stepCount: steps)
            for index in 0..<steps where !present[index] { out.append(step: index, id: 0, value: 1) }
            return out
        }
        var out = StepVectors(labels: input.labels, stepCount: steps)
        if !function.keepsMetricName { out.dropMetricNames() }
        try forEachWindow(input, evaluator) { id, index, window, rangeStart, rangeEnd in
            guard !window.isEmpty,
                  let value = evaluate(function, window, rangeStart: rangeStart, rangeEnd: rangeEnd,
                                       parameters: scalars.map { $0[index] }, stepTime: evaluator.time(index)) else { return }
            out.append(step: index, id: id, value: value)
        }
        return out
    }

    /// Calls `body` with each series' samples in `[t - range, t]` at each step, moving two cursors.
    /// Windows overlap, so the work grows with steps times window size (`rate(x[1d:1s])` at a
    /// second's resolution reads 86,400 samples a step): the query's deadline is checked as it goes.
    private static func forEachWindow(_ input: RangeInput, _ evaluator: StepEvaluator,
                                      _ body: (Int, Int, ArraySlice<Sample>, Timestamp, Timestamp) -> Void) throws(EvaluationError) {
        var work = 0
        for (id, samples) in input.samples.enumerated() {
            var low = 0
            var high = 0
            for index in 0..<evaluator.stepCount {
                work += high - low + 1
                if work >= 1 << 20 {
                    work = 0
                    try evaluator.limits.checkDeadline()
                }
                let rangeEnd = evaluator.referenceTime(index, offset: input.offset, at: input.at)
                let rangeStart = rangeEnd &- input.range
                while high < samples.count && samples[high].timestamp <= rangeEnd { high += 1 }
                while low < high && samples[low].timestamp < rangeStart { low += 1 }
                body(id, index, samples[low..<high], rangeStart, rangeEnd)
            }
        }
    }

    /// `window` holds the samples in `[rangeStart, rangeEnd]`, in order, without stale markers.
    static func evaluate(_ function: Function, _ window: ArraySlice<Sample>, rangeStart: Timestamp, rangeEnd: Timestamp,
                         parameters: [Double] = [], stepTime: Timestamp = 0) -> Double? {
        switch function {
        case .rate: return extrapolatedRate(window, rangeStart: rangeStart, rangeEnd: rangeEnd, isCounter: true, isRate: true)
        case .increase: return extrapolatedRate(window, rangeStart: rangeStart, rangeEnd: rangeEnd, isCounter: true, isRate: false)
        case .delta: return extrapolatedRate(window, rangeStart: rangeStart, rangeEnd: rangeEnd, isCounter: false, isRate: false)
        case .irate, .idelta:
            guard window.count >= 2 else { return nil }
            let last = window[window.endIndex - 1]
            let previous = window[window.endIndex - 2]
            if function == .idelta { return last.value - previous.value }
            let interval = Double(last.timestamp &- previous.timestamp) / 1000
            guard interval > 0 else { return nil }
            let change = last.value < previous.value ? last.value : last.value - previous.value
            return change / interval
        case .deriv:
            guard window.count >= 2 else { return nil }
            return linearRegression(window, interceptTime: window.first!.timestamp).slope
        case .predictLinear:
            guard window.count >= 2 else { return nil }
            let (slope, intercept) = linearRegression(window, interceptTime: stepTime)
            return slope * parameters[0] + intercept
        case .holtWinters:
            return holtWinters(window, smoothing: parameters[0], trend: parameters[1])
        case .changes, .resets:
            var count = 0.0
            var previous = window.first!.value
            for sample in window.dropFirst() {
                let current = sample.value
                if function == .changes ? !(current == previous || (current.isNaN && previous.isNaN)) : current < previous {
                    count += 1
                }
                previous = current
            }
            return count
        case .avgOverTime:
            // Incremental mean with compensated summation, as Prometheus computes it.
            var mean = 0.0
            var compensation = 0.0
            var count = 0.0
            for sample in window {
                count += 1
                if mean.isInfinite {
                    if sample.value.isInfinite && (mean > 0) == (sample.value > 0) { continue }
                    if !sample.value.isInfinite && !sample.value.isNaN { continue }
                }
                (mean, compensation) = kahanSum(sample.value / count - mean / count, mean, compensation)
            }
            return mean.isInfinite ? mean : mean + compensation
        case .sumOverTime:
            var sum = 0.0
            var compensation = 0.0
            for sample in window { (sum, compensation) = kahanSum(sample.value, sum, compensation) }
            return sum.isInfinite ? sum : sum + compensation
        case .countOverTime:
            return Double(window.count)
        case .minOverTime:
            var result = window.first!.value
            for sample in window where sample.value < result || result.isNaN { result = sample.value }
            return result
        case .maxOverTime:
            var result = window.first!.value
            for sample in window where sample.value > result || result.isNaN { result = sample.value }
            return result
        case .lastOverTime:
            return window.last?.value
        case .presentOverTime:
            return 1
        case .quantileOverTime:
            return Aggregator.quantile(parameters[0], window.map(\.value))
        case .stddevOverTime, .stdvarOverTime:
            var count = 0.0
            var mean = 0.0, meanCompensation = 0.0
            var aux = 0.0, auxCompensation = 0.0
            for sample in window {
                count += 1
                let delta = sample.value - (mean + meanCompensation)
                (mean, meanCompensation) = kahanSum(delta / count, mean, meanCompensation)
                (aux, auxCompensation) = kahanSum(delta * (sample.value - (mean + meanCompensation)), aux, auxCompensation)
            }
            let variance = (aux + auxCompensation) / count
            return function == .stddevOverTime ? variance.squareRoot() : variance
        default:
            return nil
        }
    }

    /// Neumaier's compensated addition: the new sum and compensation.
    static func kahanSum(_ increment: Double, _ sum: Double, _ compensation: Double) -> (Double, Double) {
        let t = sum + increment
        var c = compensation
        if Swift.abs(sum) >= Swift.abs(increment) { c += (sum - t) + increment } else { c += (increment - t) + sum }
        return (t, c)
    }

    /// Least squares over (seconds since `interceptTime`, value): slope and intercept.
    static func linearRegression(_ samples: ArraySlice<Sample>, interceptTime: Timestamp) -> (slope: Double, intercept: Double) {
        var n = 0.0
        var sumX = 0.0, cX = 0.0, sumY = 0.0, cY = 0.0, sumXY = 0.0, cXY = 0.0, sumX2 = 0.0, cX2 = 0.0
        let initial = samples.first!.value
        var constant = true
        for (i, sample) in samples.enumerated() {
            if constant && i > 0 && sample.value != initial { constant = false }
            n += 1
            let x = Double(sample.timestamp &- interceptTime) / 1000
            (sumX, cX) = kahanSum(x, sumX, cX)
            (sumY, cY) = kahanSum(sample.value, sumY, cY)
            (sumXY, cXY) = kahanSum(x * sample.value, sumXY, cXY)
            (sumX2, cX2) = kahanSum(x * x, sumX2, cX2)
        }
        if constant { return initial.isInfinite ? (.nan, .nan) : (0, initial) }
        sumX += cX
        sumY += cY
        sumXY += cXY
        sumX2 += cX2
        let covariance = sumXY - sumX * sumY / n
        let variance = sumX2 - sumX * sumX / n
        let slope = covariance / variance
        return (slope, sumY / n - slope * sumX / n)
    }

    /// Double exponential smoothing; nil for fewer than two samples or factors outside (0, 1).
    static func holtWinters(_ samples: ArraySlice<Sample>, smoothing sf: Double, trend tf: Double) -> Double? {
        guard sf > 0, sf < 1, tf > 0, tf < 1, samples.count >= 2 else { return nil }
        let values = samples.map(\.value)
        var s0 = 0.0
        var s1 = values[0]
        var b = values[1] - values[0]
        for i in 1..<values.count {
            let x = sf * values[i]
            if i > 1 { b = tf * (s1 - s0) + (1 - tf) * b }
            let y = (1 - sf) * (s1 + b)
            (s0, s1) = (s1, x + y)
        }
        return s1
    }

    static func extrapolatedRate(_ samples: ArraySlice<Sample>, rangeStart: Timestamp, rangeEnd: Timestamp,
                                 isCounter: Bool, isRate: Bool) -> Double? {
        guard samples.count >= 2, let first = samples.first, let last = samples.last else { return nil }
        var result = last.value - first.value
        if isCounter {
            var previous = first.value
            for sample in samples {
                if sample.value < previous { result += previous }
                previous = sample.value
            }
        }
        var durationToStart = Double(first.timestamp &- rangeStart) / 1000
        let durationToEnd = Double(rangeEnd &- last.timestamp) / 1000
        let sampledInterval = Double(last.timestamp &- first.timestamp) / 1000
        let averageBetween = sampledInterval / Double(samples.count - 1)
        if isCounter && result > 0 && first.value >= 0 {
            let durationToZero = sampledInterval * (first.value / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        let threshold = averageBetween * 1.1
        var extrapolateTo = sampledInterval
        extrapolateTo += durationToStart < threshold ? durationToStart : averageBetween / 2
        extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetween / 2
        // One factor, then one multiplication, in Prometheus' order: the last bit of the result
        // depends on it.
        var factor = extrapolateTo / sampledInterval
        if isRate { factor /= Double(rangeEnd &- rangeStart) / 1000 }
        return result * factor
    }

}
