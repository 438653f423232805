import Synchronization

/// Series held in memory and read through the querier seam: what rule unit tests evaluate
/// against, where a whole database would be out of place. Appends keep each series in time
/// order; a second value at the same time replaces the first.
public final class MemorySeriesStore: SeriesQuerier {
    private let state = Mutex<[Labels: [Sample]]>([:])

    public init() {}

    public func append(_ labels: Labels, _ sample: Sample) {
        state.withLock { all in
            // In place: the common append at the end neither copies nor searches.
            all[labels, default: []].insertInOrder(sample)
        }
    }

    /// Forgets samples older than `time`, and series left without any: a store that only the recent
    /// past is read from stays small.
    public func removeSamples(before time: Timestamp) {
        state.withLock { all in
            for (labels, samples) in all {
                let keep = samples.partitioningIndex { $0.timestamp >= time }
                if keep == samples.count { all[labels] = nil } else if keep > 0 { all[labels] = Array(samples[keep...]) }
            }
        }
    }

    public func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Series] {
        state.withLock { all in
            all.compactMap { labels, samples -> Series? in
                guard matchers.allSatisfy({ $0.matches(labels[$0.name] ?? "") }) else { return nil }
                let from = samples.partitioningIndex { $0.timestamp >= mint }
                let to = samples.partitioningIndex { $0.timestamp > maxt }
                return from < to ? Series(labels: labels, samples: Array(samples[from..<to])) : nil
            }.sorted { $0.labels < $1.labels }
        }
    }

    public func series(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Labels] {
        select(matchers, mint: mint, maxt: maxt).map(\.labels)
    }

    public func labelNames(matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String] {
        Set(selectAny(matching, mint: mint, maxt: maxt).flatMap { $0.pairs.map(\.name) }).sorted()
    }

    public func labelValues(_ name: String, matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String] {
        Set(selectAny(matching, mint: mint, maxt: maxt).compactMap { $0[name] }).sorted()
    }

    private func selectAny(_ sets: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [Labels] {
        sets.isEmpty ? series([], mint: mint, maxt: maxt) : sets.flatMap { series($0, mint: mint, maxt: maxt) }
    }
}

extension [Sample] {
    mutating func insertInOrder(_ sample: Sample) {
        if let last, last.timestamp < sample.timestamp {
            append(sample)
            return
        }
        let index = partitioningIndex { $0.timestamp >= sample.timestamp }
        if index < count && self[index].timestamp == sample.timestamp { self[index] = sample } else { insert(sample, at: index) }
    }
}

extension Array {
    /// The first index whose element satisfies `belongs`, for a predicate that is false and then
    /// true along the array (binary search).
    func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
