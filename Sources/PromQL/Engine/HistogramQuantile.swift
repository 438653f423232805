import TimeSeriesCore

/// `histogram_quantile(φ, buckets)` over classic histograms: buckets grouped by their labels
/// without `le`, interpolated linearly inside the bucket the rank falls in, as Prometheus does.
enum HistogramQuantile {
    static func evaluate(_ quantiles: [Double], _ input: StepVectors) -> StepVectors {
        var groupOf: [Int?] = []
        var bounds: [Double] = []
        var groups: [Labels] = []
        var index: [Labels: Int] = [:]
        for labels in input.labels {
            guard let le = labels["le"], let bound = parseBound(le) else {
                groupOf.append(nil)
                bounds.append(0)
                continue
            }
            let key = Labels(sortedUnique: labels.pairs.filter { $0.name != "le" && $0.name != metricNameLabel })
            if index[key] == nil {
                index[key] = groups.count
                groups.append(key)
            }
            groupOf.append(index[key])
            bounds.append(bound)
        }
        var out = StepVectors(labels: groups, stepCount: input.steps.count)
        for (step, vector) in input.steps.enumerated() {
            var buckets: [Int: [(bound: Double, count: Double)]] = [:]
            for (id, value) in zip(vector.ids, vector.values) {
                guard let group = groupOf[id] else { continue }
                buckets[group, default: []].append((bounds[id], value))
            }
            for group in buckets.keys.sorted() {
                out.append(step: step, id: group, value: quantile(quantiles[step], buckets[group]!))
            }
        }
        return out
    }

    static func parseBound(_ text: String) -> Double? {
        switch text.lowercased() {
        case "+inf", "inf": .infinity
        case "-inf": -.infinity
        case "nan": .nan
        default: Double(text)
        }
    }

    static func quantile(_ q: Double, _ unsorted: [(bound: Double, count: Double)]) -> Double {
        // A NaN quantile is NaN whatever the buckets, before any check of them (as Prometheus).
        if q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        var buckets = unsorted.sorted { $0.bound < $1.bound }
        guard let last = buckets.last, last.bound == .infinity else { return .nan }
        // Buckets with the same bound are added together, and counts made monotonic.
        var merged: [(bound: Double, count: Double)] = []
        for bucket in buckets {
            if let previous = merged.last, previous.bound == bucket.bound {
                merged[merged.count - 1].count += bucket.count
            } else {
                merged.append(bucket)
            }
        }
        buckets = merged
        var maximum = -Double.infinity
        for i in buckets.indices {
            if buckets[i].count > maximum { maximum = buckets[i].count } else { buckets[i].count = maximum }
        }
        guard buckets.count >= 2 else { return .nan }
        let observations = buckets[buckets.count - 1].count
        guard observations != 0 else { return .nan }
        var rank = q * observations
        var b = buckets.count - 1
        for i in 0..<(buckets.count - 1) where buckets[i].count >= rank {
            b = i
            break
        }
        if b == buckets.count - 1 { return buckets[buckets.count - 2].bound }
        if b == 0 && buckets[0].bound <= 0 { return buckets[0].bound }
        var start = 0.0
        let end = buckets[b].bound
        var count = buckets[b].count
        if b > 0 {
            start = buckets[b - 1].bound
            count -= buckets[b - 1].count
            rank -= buckets[b - 1].count
        }
        return start + (end - start) * (rank / count)
    }
}
