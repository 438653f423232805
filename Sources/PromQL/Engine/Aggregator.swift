import TimeSeriesCore

/// The aggregation operators over step vectors. Group membership is computed once per input
/// series; each step then only accumulates numbers.
enum Aggregator {
    static func aggregate(_ aggregation: Aggregation, parameter: StepValue?, _ input: StepVectors) throws(EvaluationError) -> StepVectors {
        if aggregation.op == .countValues {
            guard case .string(let label) = parameter else { throw EvaluationError("count_values needs a label name") }
            guard isValidLabelName(label) else { throw EvaluationError("invalid label name \(quoted(label))") }
            return countValues(aggregation, label: label, input)
        }
        var scalars: [Double] = []
        if case .scalar(let values) = parameter { scalars = values }
        var groupOf: [Int] = []
        var groups: [Labels] = []
        var groupIndex: [Labels: Int] = [:]
        groupOf.reserveCapacity(input.labels.count)
        for labels in input.labels {
            let key = groupLabels(labels, aggregation)
            if let existing = groupIndex[key] {
                groupOf.append(existing)
            } else {
                groupIndex[key] = groups.count
                groupOf.append(groups.count)
                groups.append(key)
            }
        }
        switch aggregation.op {
        case .topk, .bottomk:
            return selectK(aggregation.op == .topk, k: scalars, input, groupOf: groupOf, groupCount: groups.count)
        case .quantile:
            return quantiles(scalars, input, groupOf: groupOf, groups: groups)
        default:
            return accumulate(aggregation.op, input, groupOf: groupOf, groups: groups)
        }
    }

    static func groupLabels(_ labels: Labels, _ aggregation: Aggregation) -> Labels {
        if aggregation.without {
            let dropped = Set(aggregation.grouping + [metricNameLabel])
            return Labels(sortedUnique: labels.pairs.filter { !dropped.contains($0.name) })
        }
        let kept = Set(aggregation.grouping)
        return Labels(sortedUnique: labels.pairs.filter { kept.contains($0.name) })
    }

    private static func accumulate(_ op: Aggregation.Operator, _ input: StepVectors, groupOf: [Int], groups: [Labels]) -> StepVectors {
        var out = StepVectors(labels: groups, stepCount: input.steps.count)
        var value = [Double](repeating: 0, count: groups.count)
        var mean = [Double](repeating: 0, count: groups.count)
        var count = [Double](repeating: 0, count: groups.count)
        for (index, step) in input.steps.enumerated() {
            var touched: [Int] = []
            for (id, v) in zip(step.ids, step.values) {
                let g = groupOf[id]
                if count[g] == 0 {
                    touched.append(g)
                    value[g] = op == .count || op == .group ? 1 : op == .stddev || op == .stdvar ? 0 : v
                    mean[g] = v
                    count[g] = 1
                    continue
                }
                count[g] += 1
                switch op {
                case .sum: value[g] += v
                case .avg:
                    // Incremental mean, as Prometheus computes it, to stay finite for huge values.
                    if mean[g].isInfinite {
                        if v.isInfinite && (mean[g] > 0) == (v > 0) { break }
                        if !v.isInfinite && !v.isNaN { break }
                    }
                    mean[g] += v / count[g] - mean[g] / count[g]
                case .count: value[g] += 1
                case .min: if v < value[g] || value[g].isNaN { value[g] = v }
                case .max: if v > value[g] || value[g].isNaN { value[g] = v }
                case .stddev, .stdvar:
                    let delta = v - mean[g]
                    mean[g] += delta / count[g]
                    value[g] += delta * (v - mean[g])
                default: break
                }
            }
            touched.sort()
            for g in touched {
                let result: Double
                switch op {
                case .avg: result = mean[g]
                case .stdvar: result = value[g] / count[g]
                case .stddev: result = (value[g] / count[g]).squareRoot()
                default: result = value[g]
                }
                out.append(step: index, id: g, value: result)
                count[g] = 0
            }
        }
        return out
    }

    /// `topk` / `bottomk`: per step and group, the k largest (smallest) elements, keeping their labels.
    /// The selection is Prometheus' own: a binary heap of the k best so far whose root is replaced only
    /// by a strictly better element, so ties at the boundary resolve to the same series.
    private static func selectK(_ largest: Bool, k: [Double], _ input: StepVectors, groupOf: [Int], groupCount: Int) -> StepVectors {
        var out = StepVectors(labels: input.labels, stepCount: input.steps.count)
        var heaps = [SelectionHeap](repeating: SelectionHeap(largest: largest), count: groupCount)
        for (index, step) in input.steps.enumerated() {
            guard k[index] >= 1 else { continue }
            let limit = Int(min(k[index], Double(Int32.max)))
            var touched: [Int] = []
            for (id, v) in zip(step.ids, step.values) {
                let g = groupOf[id]
                if heaps[g].elements.isEmpty { touched.append(g) }
                heaps[g].offer(id: id, value: v, limit: limit)
            }
            var picked: [(id: Int, value: Double)] = []
            for g in touched {
                picked += heaps[g].elements
                heaps[g].elements.removeAll(keepingCapacity: true)
            }
            picked.sort { $0.id < $1.id }
            out.steps[index].ids = picked.map(\.id)
            out.steps[index].values = picked.map(\.value)
        }
        return out
    }

    /// `quantile(φ, v)` per group and step.
    private static func quantiles(_ q: [Double], _ input: StepVectors, groupOf: [Int], groups: [Labels]) -> StepVectors {
        var out = StepVectors(labels: groups, stepCount: input.steps.count)
        for (index, step) in input.steps.enumerated() {
            var values: [Int: [Double]] = [:]
            for (id, v) in zip(step.ids, step.values) { values[groupOf[id], default: []].append(v) }
            for g in values.keys.sorted() { out.append(step: index, id: g, value: quantile(q[index], values[g]!)) }
        }
        return out
    }

    /// The φ-quantile of `values`, interpolating between the two nearest ranks, as Prometheus does.
    static func quantile(_ q: Double, _ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        // Go's sort of these values puts NaN first.
        let sorted = values.sorted { a, b in a.isNaN ? !b.isNaN : (!b.isNaN && a < b) }
        let n = Double(sorted.count)
        let rank = q * (n - 1)
        let lower = Swift.max(0, rank.rounded(.down))
        let upper = Swift.min(n - 1, lower + 1)
        let weight = rank - rank.rounded(.down)
        return sorted[Int(lower)] * (1 - weight) + sorted[Int(upper)] * weight
    }

    /// `count_values("label", v)`: per group, how many elements have each value.
    private static func countValues(_ aggregation: Aggregation, label: String, _ input: StepVectors) -> StepVectors {
        var out = StepVectors(labels: [], stepCount: input.steps.count)
        var index: [Labels: Int] = [:]
        for (step, vector) in input.steps.enumerated() {
            var counts: [Int: Double] = [:]
            for (id, v) in zip(vector.ids, vector.values) {
                let labels = groupLabels(input.labels[id], aggregation).setting(label, formatSampleValue(v))
                counts[out.entry(for: labels, in: &index), default: 0] += 1
            }
            for id in counts.keys.sorted() { out.append(step: step, id: id, value: counts[id]!) }
        }
        return out
    }
}
