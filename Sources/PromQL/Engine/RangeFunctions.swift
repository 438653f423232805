import TimeSeriesCore

/// The range-vector functions, computed over one series' samples in a window, as Prometheus 2.x
/// computes them (including its extrapolation for `rate`, `increase` and `delta`).
enum RangeFunctions {
    /// `window` holds the samples in `[rangeStart, rangeEnd]`, in order, without stale markers.
    static func evaluate(_ function: Function, _ window: ArraySlice<Sample>, rangeStart: Timestamp, rangeEnd: Timestamp) -> Double? {
        switch function {
        case .rate: return extrapolatedRate(window, rangeStart: rangeStart, rangeEnd: rangeEnd, isCounter: true, isRate: true)
        case .increase: return extrapolatedRate(window, rangeStart: rangeStart, rangeEnd: rangeEnd, isCounter: true, isRate: false)
        case .delta: return extrapolatedRate(window, rangeStart: rangeStart, rangeEnd: rangeEnd, isCounter: false, isRate: false)
        case .irate, .idelta:
            guard window.count >= 2 else { return nil }
            let last = window[window.endIndex - 1]
            let previous = window[window.endIndex - 2]
            if function == .idelta { return last.value - previous.value }
            let interval = Double(last.timestamp - previous.timestamp) / 1000
            guard interval > 0 else { return nil }
            let change = last.value < previous.value ? last.value : last.value - previous.value
            return change / interval
        case .avgOverTime:
            guard !window.isEmpty else { return nil }
            // Incremental mean, as Prometheus computes it, to stay finite for huge values.
            var mean = 0.0
            var count = 0.0
            for sample in window {
                count += 1
                if mean.isInfinite {
                    if sample.value.isInfinite && (mean > 0) == (sample.value > 0) { continue }
                    if !sample.value.isInfinite && !sample.value.isNaN { continue }
                }
                mean += sample.value / count - mean / count
            }
            return mean
        case .sumOverTime:
            return window.isEmpty ? nil : window.reduce(0) { $0 + $1.value }
        case .countOverTime:
            return window.isEmpty ? nil : Double(window.count)
        case .minOverTime:
            guard var result = window.first?.value else { return nil }
            for sample in window where sample.value < result || result.isNaN { result = sample.value }
            return result
        case .maxOverTime:
            guard var result = window.first?.value else { return nil }
            for sample in window where sample.value > result || result.isNaN { result = sample.value }
            return result
        case .lastOverTime:
            return window.last?.value
        }
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
        var durationToStart = Double(first.timestamp - rangeStart) / 1000
        let durationToEnd = Double(rangeEnd - last.timestamp) / 1000
        let sampledInterval = Double(last.timestamp - first.timestamp) / 1000
        let averageBetween = sampledInterval / Double(samples.count - 1)
        if isCounter && result > 0 && first.value >= 0 {
            let durationToZero = sampledInterval * (first.value / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        let threshold = averageBetween * 1.1
        var extrapolateTo = sampledInterval
        extrapolateTo += durationToStart < threshold ? durationToStart : averageBetween / 2
        extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetween / 2
        result *= extrapolateTo / sampledInterval
        if isRate { result /= Double(rangeEnd - rangeStart) / 1000 }
        return result
    }

    /// Whether the function keeps the metric name (only `last_over_time` does).
    static func keepsMetricName(_ function: Function) -> Bool { function == .lastOverTime }
}
