import TimeSeriesCore

/// Decides which blocks to merge, as Prometheus' leveled compactor does: overlapping blocks first,
/// then runs of blocks that together fill a range of the next level (2h → 6h → 18h → ...).
enum CompactionPlanner {
    /// Level ranges: `blockRange` times powers of three, up to a tenth of the retention (at most 31 days).
    static func ranges(blockRange: Int64, retention: Int64?) -> [Int64] {
        let limit = min(retention.map { $0 / 10 } ?? .max, 31 * 24 * 3_600_000)
        var out = [blockRange]
        while let last = out.last, last * 3 <= limit, out.count < 10 { out.append(last * 3) }
        return out
    }

    /// The blocks (by index into `metas`) to merge next, or nil when nothing needs merging.
    ///
    /// As in Prometheus, the newest block is left out (it was just cut from the head and stays
    /// available for backup as is), and a group is merged when it fills its range or lies entirely
    /// before the newest remaining block.
    static func plan(_ metas: [BlockMeta], ranges: [Int64]) -> [Int]? {
        let order = metas.indices.sorted { metas[$0].minTime < metas[$1].minTime }
        // Overlapping blocks (an out-of-order write or an interrupted compaction) are merged first.
        var group: [Int] = []
        var groupEnd = Int64.min
        for index in order {
            if !group.isEmpty && metas[index].minTime < groupEnd {
                group.append(index)
                groupEnd = max(groupEnd, metas[index].maxTime)
                continue
            }
            if group.count > 1 { return group }
            group = [index]
            groupEnd = metas[index].maxTime
        }
        if group.count > 1 { return group }

        let candidates = Array(order.dropLast())
        guard let newest = candidates.last else { return nil }
        let highTime = metas[newest].minTime
        for range in ranges.dropFirst() {
            var buckets: [Int64: [Int]] = [:]
            for index in candidates {
                let start = floorDiv(metas[index].minTime, range) * range
                guard metas[index].maxTime <= start + range else { continue }
                buckets[start, default: []].append(index)
            }
            for start in buckets.keys.sorted() {
                let members = buckets[start]!
                guard members.count > 1 else { continue }
                let low = members.map { metas[$0].minTime }.min()!
                let high = members.map { metas[$0].maxTime }.max()!
                if high - low == range || high <= highTime { return members }
            }
        }
        return nil
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        return r < 0 ? q - 1 : q
    }
}

/// Which blocks retention deletes.
enum RetentionPolicy {
    /// Blocks whose newest sample is more than `time` older than `newestTime` go; then the oldest
    /// blocks go until blocks plus `otherBytes` (WAL, head chunks) fit in `bytes`.
    static func expired(_ blocks: [(meta: BlockMeta, size: Int)], time: Int64?, bytes: Int?,
                        newestTime: Timestamp, otherBytes: Int) -> Set<String> {
        var out = Set<String>()
        let oldestFirst = blocks.sorted { $0.meta.minTime < $1.meta.minTime }
        if let time {
            for block in oldestFirst where newestTime - (block.meta.maxTime - 1) > time { out.insert(block.meta.ulid) }
        }
        if let bytes {
            var total = otherBytes + blocks.reduce(0) { $0 + $1.size }
            total -= oldestFirst.filter { out.contains($0.meta.ulid) }.reduce(0) { $0 + $1.size }
            for block in oldestFirst where total > bytes && !out.contains(block.meta.ulid) {
                out.insert(block.meta.ulid)
                total -= block.size
            }
        }
        return out
    }
}
