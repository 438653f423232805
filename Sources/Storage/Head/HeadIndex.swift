import TimeSeriesCore

/// The head's inverted index: label name → value → postings, plus the series table.
struct HeadIndex: Sendable {
    private(set) var series: [MemSeries] = []
    private var refs: [Labels: SeriesRef] = [:]
    private var postings: [String: [String: [SeriesRef]]] = [:]

    var count: Int { series.count }

    func ref(for labels: Labels) -> SeriesRef? { refs[labels] }

    /// Adds a series; references grow monotonically so every postings list stays sorted.
    mutating func add(_ labels: Labels) -> SeriesRef {
        let ref = SeriesRef(series.count)
        series.append(MemSeries(labels: labels))
        refs[labels] = ref
        for pair in labels.pairs {
            postings[pair.name, default: [:]][pair.value, default: []].append(ref)
        }
        return ref
    }

    mutating func append(_ ref: SeriesRef, _ t: Timestamp, _ v: Double) -> MemSeries.AppendOutcome {
        series[Int(ref)].append(t, v)
    }

    subscript(ref: SeriesRef) -> MemSeries { series[Int(ref)] }

    /// References of the series satisfying every matcher, ascending.
    func select(_ matchers: [LabelMatcher]) -> [SeriesRef] {
        // Matchers that reject the empty string narrow through postings; the rest filter afterwards.
        var candidates: [SeriesRef]?
        for matcher in matchers where !matcher.matchesEmpty {
            let values = postings[matcher.name] ?? [:]
            let lists: [[SeriesRef]]
            if matcher.type == .equal {
                lists = values[matcher.value].map { [$0] } ?? []
            } else {
                lists = values.compactMap { matcher.matches($0.key) ? $0.value : nil }
            }
            let matched = lists.isEmpty ? [] : Postings.union(lists)
            candidates = candidates.map { Postings.intersect($0, matched) } ?? matched
            if candidates?.isEmpty == true { return [] }
        }
        let base = candidates ?? (0..<SeriesRef(series.count)).map { $0 }
        return base.filter { ref in
            let labels = series[Int(ref)].labels
            return matchers.allSatisfy { $0.matches(labels[$0.name] ?? "") }
        }
    }
}
