import TimeSeriesCore

/// Reference of a series in the head, stable for the life of the series (it is also the WAL's).
public typealias SeriesRef = UInt32

/// One series in the head: its labels, references to sealed chunks in the head chunk files, the open
/// chunk being appended to, and out-of-order samples accepted within the configured window.
struct MemSeries: Sendable {
    let labels: Labels
    /// Sealed chunks written to the head chunk store, oldest first.
    private(set) var sealed: [ChunkMeta] = []
    /// Sealed chunks whose write to the store failed; kept in memory and written on the next cut.
    private(set) var unwritten: [XORChunk] = []
    private(set) var open = XORChunk()
    /// The open chunk is cut when a sample reaches this time, so no chunk straddles a block boundary.
    private var openBoundary: Timestamp = .max
    private(set) var lastTimestamp: Timestamp = .min
    private(set) var lastValueBits: UInt64 = 0
    /// The append in progress that last saw this series, and the newest sample it accepted for it,
    /// so a series named twice in one write is checked against its own earlier samples.
    var batchStamp: UInt32 = 0
    var batchLast: (last: Timestamp, bits: UInt64) = (.min, 0)
    /// Samples older than `lastTimestamp`, sorted by time.
    private(set) var outOfOrder: [Sample] = []

    init(labels: Labels) { self.labels = labels }

    enum AppendOutcome { case appended, appendedOutOfOrder, duplicate, conflict, outOfOrder }

    /// Appends in timestamp order. A repeat of the last sample is a no-op, as in Prometheus; a repeat
    /// timestamp with another value is refused. An older timestamp is refused unless `allowOutOfOrder`.
    mutating func append(_ t: Timestamp, _ v: Double, allowOutOfOrder: Bool, blockRange: Int64,
                         store: HeadChunkStore) -> AppendOutcome {
        if t == lastTimestamp {
            return v.bitPattern == lastValueBits ? .duplicate : .conflict
        }
        if t < lastTimestamp {
            return allowOutOfOrder ? insertOutOfOrder(Sample(timestamp: t, value: v)) : .outOfOrder
        }
        if open.count > 0 && (open.isFull || t >= openBoundary) {
            seal(store: store)
        }
        if open.count == 0 { openBoundary = Self.boundary(after: t, blockRange: blockRange) }
        open.append(t, v)
        lastTimestamp = t
        lastValueBits = v.bitPattern
        return .appended
    }

    /// Agent mode: the newest sample is remembered, to refuse repeats with another value and to
    /// know when the series was last seen, and nothing is stored (the log holds the samples).
    mutating func note(_ t: Timestamp, _ v: Double) -> AppendOutcome {
        if t == lastTimestamp { return v.bitPattern == lastValueBits ? .duplicate : .conflict }
        if t < lastTimestamp { return .appendedOutOfOrder }
        lastTimestamp = t
        lastValueBits = v.bitPattern
        return .appended
    }

    private mutating func insertOutOfOrder(_ sample: Sample) -> AppendOutcome {
        var low = 0, high = outOfOrder.count
        while low < high {
            let mid = (low + high) / 2
            if outOfOrder[mid].timestamp < sample.timestamp { low = mid + 1 } else { high = mid }
        }
        if low < outOfOrder.count && outOfOrder[low].timestamp == sample.timestamp {
            return outOfOrder[low].value.bitPattern == sample.value.bitPattern ? .duplicate : .conflict
        }
        outOfOrder.insert(sample, at: low)
        return .appendedOutOfOrder
    }

    /// Restores a sealed chunk from a WAL checkpoint.
    mutating func restoreSealed(_ chunk: XORChunk, store: HeadChunkStore) {
        unwritten.append(chunk)
        lastTimestamp = max(lastTimestamp, chunk.maxTime)
        flushUnwritten(store: store)
    }

    private mutating func seal(store: HeadChunkStore) {
        unwritten.append(open)
        open = XORChunk()
        flushUnwritten(store: store)
    }

    private mutating func flushUnwritten(store: HeadChunkStore) {
        while let first = unwritten.first, let meta = try? store.write(first) {
            sealed.append(meta)
            unwritten.removeFirst()
        }
    }

    static func boundary(after t: Timestamp, blockRange: Int64) -> Timestamp {
        let (q, r) = t.quotientAndRemainder(dividingBy: blockRange)
        return (r < 0 ? q : q + 1) &* blockRange
    }

    var minTime: Timestamp {
        let inOrder = sealed.first?.minTime ?? unwritten.first?.minTime ?? (open.count > 0 ? open.minTime : .max)
        return min(inOrder, outOfOrder.first?.timestamp ?? .max)
    }

    var maxTime: Timestamp { lastTimestamp }

    var isEmpty: Bool { sealed.isEmpty && unwritten.isEmpty && open.count == 0 && outOfOrder.isEmpty }

    func overlaps(mint: Timestamp, maxt: Timestamp) -> Bool {
        !isEmpty && minTime <= maxt && maxTime >= mint
    }

    /// Drops what a block written from a snapshot of this series now holds: chunks before `time`
    /// that held nothing newer than `seenUpTo` (the series' newest sample when the snapshot was
    /// taken) and the out-of-order samples before `time` the snapshot had. A chunk that grew after
    /// the snapshot is kept whole: the next block repeats its older samples, and merging blocks
    /// drops the repeats, so nothing that arrived while the block was written is lost.
    mutating func truncate(before time: Timestamp, seenUpTo: Timestamp, seenOutOfOrder: Set<Timestamp>) {
        sealed.removeAll { $0.maxTime < time && $0.maxTime <= seenUpTo }
        unwritten.removeAll { $0.maxTime < time && $0.maxTime <= seenUpTo }
        if open.count > 0 && open.maxTime < time && open.maxTime <= seenUpTo { open = XORChunk() }
        outOfOrder.removeAll { $0.timestamp < time && seenOutOfOrder.contains($0.timestamp) }
    }

    /// The newest time of the oldest chunk in the head chunk files: their segments up to it must stay.
    var oldestSealedMaxTime: Timestamp? { sealed.first?.maxTime }

    /// What a query or a block writer needs, copied cheaply (chunk bytes are shared, copy-on-write).
    func snapshot(store: HeadChunkStore) -> SeriesSnapshot {
        var segments: [HeadChunkStore.Segment] = []
        for meta in sealed {
            if let segment = store.segment(for: meta.ref), segments.last !== segment { segments.append(segment) }
        }
        var memory = unwritten
        if open.count > 0 { memory.append(open) }
        return SeriesSnapshot(labels: labels, sealed: sealed, segments: segments, memory: memory, outOfOrder: outOfOrder)
    }

    /// Chunks of in-order samples: sealed ones and the open one when it holds samples.
    var chunkCount: Int { sealed.count + unwritten.count + (open.count > 0 ? 1 : 0) }

    var memoryChunkBytes: Int { unwritten.reduce(open.byteCount) { $0 + $1.byteCount } }
}
