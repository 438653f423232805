import Synchronization

/// Series held in memory and read through the querier seam: what rule unit tests evaluate
/// against, where a whole database would be out of place. Appends keep each series in time
/// order; a second value at the same time replaces the first.
public final class MemorySeriesStore: SeriesQuerier {
    private let state = Mutex<[Labels: [Sample]]>([:])

    public init() {}

    public func append(_ labels: Labels, _ sample: Sample) {
        state.withLock { all in
            var samples = all[labels] ?? []
            let index = samples.partitioningIndex { $0.timestamp >= sample.timestamp }
            if index < samples.count && samples[index].timestamp == sample.timestamp {
                samples[index] = sample
            } else {
                samples.insert(sample, at: index)
            }
            all[labels] = samples
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
