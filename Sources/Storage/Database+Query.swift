import Synchronization
import TimeSeriesCore

extension Database {
    /// Regular expressions matched against the head's label values without holding the lock.
    private func resolve(_ matchers: [LabelMatcher]) -> ResolvedMatchers {
        guard matchers.contains(where: ResolvedMatchers.worthResolving) else {
            return ResolvedMatchers()
        }
        let pending = state.withLock { ResolvedMatchers.pending(matchers, in: &$0.index) }
        return ResolvedMatchers(pending)
    }

    /// Blocks overlapping the range and snapshots of the matching head series, taken under the lock.
    private func sources(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> ([Block], [SeriesSnapshot]) {
        let resolved = resolve(matchers)
        return state.withLock { state in
            let blocks = state.blocks.filter { $0.overlaps(mint: mint, maxt: maxt) }
            let refs = state.index.select(matchers, resolved: resolved.current(in: state.index))
            var head: [SeriesSnapshot] = []
            head.reserveCapacity(refs.count)
            for ref in refs {
                guard let series = state.index[ref], series.overlaps(mint: mint, maxt: maxt) else { continue }
                head.append(series.snapshot(store: state.chunks))
            }
            return (blocks, head)
        }
    }

    /// The matching series with their samples in [mint, maxt]. Series come in the order Prometheus'
    /// storage yields them, which decides ties in `topk`/`bottomk` and the order of unsorted instant
    /// results: creation order when only the head answers, label order once blocks take part.
    public func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Series] {
        let (blocks, head) = sources(matchers, mint: mint, maxt: maxt)
        let fromHead = head.compactMap { snapshot -> Series? in
            let samples = snapshot.samples(mint: mint, maxt: maxt)
            return samples.isEmpty ? nil : Series(labels: snapshot.labels, samples: samples)
        }
        if blocks.isEmpty { return fromHead }
        var parts = blocks.map { $0.select(matchers, mint: mint, maxt: maxt) }
        parts.append(fromHead)
        return Self.merge(parts)
    }

    /// Merges series lists from sources ordered oldest first; equal timestamps keep the older source's sample.
    static func merge(_ parts: [[Series]]) -> [Series] {
        var byLabels: [Labels: [Sample]] = [:]
        for part in parts {
            for series in part {
                if let existing = byLabels[series.labels] {
                    byLabels[series.labels] = SampleMerge.merge(existing, series.samples)
                } else {
                    byLabels[series.labels] = series.samples
                }
            }
        }
        return byLabels.map { Series(labels: $0.key, samples: $0.value) }.sorted { $0.labels < $1.labels }
    }

    /// Postings sizes of the head and every block; nothing is intersected and no series or sample is read.
    public func estimatedSeriesCount(_ matchers: [LabelMatcher]) -> Int {
        let resolved = resolve(matchers)
        let (head, blocks) = state.withLock { state in
            (state.index.estimatedCount(matchers, resolved: resolved.current(in: state.index)), state.blocks)
        }
        // Blocks are immutable: their indexes are read without the lock.
        return blocks.reduce(head) { $0 + $1.index.estimatedCount(matchers) }
    }

    public func series(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Labels] {
        let (blocks, head) = sources(matchers, mint: mint, maxt: maxt)
        var all = Set(head.map(\.labels))
        for block in blocks { all.formUnion(block.seriesLabels(matchers, mint: mint, maxt: maxt)) }
        return all.sorted()
    }

    public func labelNames(matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String] {
        if matching.isEmpty {
            var names = Set<String>()
            state.withLock { state in
                names.formUnion(state.index.labelNames)
                for block in state.blocks where block.overlaps(mint: mint, maxt: maxt) { names.formUnion(block.index.labelNames) }
            }
            return names.sorted()
        }
        var names = Set<String>()
        for labels in labelSets(matching: matching, mint: mint, maxt: maxt) {
            for pair in labels.pairs { names.insert(pair.name) }
        }
        return names.sorted()
    }

    public func labelValues(_ name: String, matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String] {
        if matching.isEmpty {
            var values = Set<String>()
            state.withLock { state in
                values.formUnion(state.index.values(of: name))
                for block in state.blocks where block.overlaps(mint: mint, maxt: maxt) { values.formUnion(block.index.values(of: name)) }
            }
            return values.sorted()
        }
        var values = Set<String>()
        for labels in labelSets(matching: matching, mint: mint, maxt: maxt) {
            if let value = labels[name] { values.insert(value) }
        }
        return values.sorted()
    }

    private func labelSets(matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> Set<Labels> {
        var seen = Set<Labels>()
        for matchers in matching { seen.formUnion(series(matchers, mint: mint, maxt: maxt)) }
        return seen
    }
}
