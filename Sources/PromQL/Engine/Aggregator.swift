import TimeSeriesCore

/// The aggregation operators over step vectors. Group membership is computed once per input
/// series; each step then only accumulates numbers.
enum Aggregator {
    static func aggregate(_ aggregation: Aggregation, parameter: Double?, _ input: StepVectors) -> StepVectors {
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
            return selectK(aggregation.op == .topk, k: parameter ?? 0, input, groupOf: groupOf, groupCount: groups.count)
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
        var count = [Int](repeating: 0, count: groups.count)
        for (index, step) in input.steps.enumerated() {
            var touched: [Int] = []
            for (id, v) in zip(step.ids, step.values) {
                let g = groupOf[id]
                if count[g] == 0 {
                    touched.append(g)
                    value[g] = op == .count || op == .group ? 1 : v
                    count[g] = 1
                    continue
                }
                count[g] += 1
                switch op {
                case .sum, .avg: value[g] += v
                case .count: value[g] += 1
                case .min: if v < value[g] || value[g].isNaN { value[g] = v }
                case .max: if v > value[g] || value[g].isNaN { value[g] = v }
                case .group, .topk, .bottomk: break
                }
            }
            touched.sort()
            for g in touched {
                out.steps[index].ids.append(g)
                out.steps[index].values.append(op == .avg ? value[g] / Double(count[g]) : value[g])
                count[g] = 0
            }
        }
        return out
    }

    /// `topk` / `bottomk`: per step and group, the k largest (smallest) elements, keeping their labels.
    private static func selectK(_ largest: Bool, k: Double, _ input: StepVectors, groupOf: [Int], groupCount: Int) -> StepVectors {
        var out = StepVectors(labels: input.labels, stepCount: input.steps.count)
        guard k >= 1 else { return out }
        let limit = Int(min(k, Double(Int32.max)))
        // NaN ranks below every number for topk and above every number for bottomk.
        func better(_ a: Double, _ b: Double) -> Bool {
            if a.isNaN { return false }
            if b.isNaN { return true }
            return largest ? a > b : a < b
        }
        var chosen = [[(id: Int, value: Double)]](repeating: [], count: groupCount)
        for (index, step) in input.steps.enumerated() {
            var touched: [Int] = []
            for (id, v) in zip(step.ids, step.values) {
                let g = groupOf[id]
                if chosen[g].isEmpty { touched.append(g) }
                if chosen[g].count < limit {
                    chosen[g].append((id, v))
                } else if let worst = chosen[g].indices.min(by: { better(chosen[g][$1].value, chosen[g][$0].value) }),
                          better(v, chosen[g][worst].value) {
                    chosen[g][worst] = (id, v)
                }
            }
            var picked: [(id: Int, value: Double)] = []
            for g in touched {
                picked += chosen[g]
                chosen[g].removeAll(keepingCapacity: true)
            }
            picked.sort { $0.id < $1.id }
            out.steps[index].ids = picked.map(\.id)
            out.steps[index].values = picked.map(\.value)
        }
        return out
    }
}
