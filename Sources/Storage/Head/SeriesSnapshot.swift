import TimeSeriesCore

/// A series' head data captured under the database lock and decoded after it is released.
struct SeriesSnapshot: Sendable {
    let labels: Labels
    let sealed: [ChunkMeta]
    /// The head chunk segments `sealed` points into, kept alive (and mapped) by this snapshot.
    let segments: [HeadChunkStore.Segment]
    /// Chunks held in memory: unwritten sealed ones, then the open one.
    let memory: [XORChunk]
    let outOfOrder: [Sample]

    /// The bytes of a sealed chunk, from the segment it was written to.
    func bytes(of meta: ChunkMeta) -> UnsafeRawBufferPointer? {
        segments.first { $0.number == Int(meta.ref >> 32) }?.chunk(meta.ref)
    }

    /// Samples in `[mint, maxt]`, in order, out-of-order ones merged in.
    func samples(mint: Timestamp, maxt: Timestamp) -> [Sample] {
        var out: [Sample] = []
        func collect(_ bytes: UnsafeRawBufferPointer, count: Int) {
            XORChunk.forEach(in: bytes, count: count) { t, v in
                if t > maxt { return false }
                if t >= mint { out.append(Sample(timestamp: t, value: v)) }
                return true
            }
        }
        for meta in sealed where meta.overlaps(mint: mint, maxt: maxt) {
            guard let bytes = bytes(of: meta) else { continue }
            collect(bytes, count: Int(meta.count))
        }
        for chunk in memory where chunk.count > 0 && chunk.minTime <= maxt && chunk.maxTime >= mint {
            chunk.bytes.withUnsafeBytes { collect($0, count: chunk.count) }
        }
        let extra = outOfOrder.filter { $0.timestamp >= mint && $0.timestamp <= maxt }
        return extra.isEmpty ? out : SampleMerge.merge(out, extra)
    }
}

/// Merging of sorted sample lists.
enum SampleMerge {
    /// Merges two time-sorted lists; on equal timestamps the first list's sample wins.
    static func merge(_ a: [Sample], _ b: [Sample]) -> [Sample] {
        if b.isEmpty { return a }
        if a.isEmpty { return b }
        if a.last!.timestamp < b.first!.timestamp { return a + b }
        var out: [Sample] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i].timestamp <= b[j].timestamp) {
                if j < b.count && a[i].timestamp == b[j].timestamp { j += 1 }
                out.append(a[i]); i += 1
            } else {
                out.append(b[j]); j += 1
            }
        }
        return out
    }
}

extension SeriesSnapshot {
    /// Chunks covering `[mint, maxt]` for a block: whole chunks are copied as they are; a chunk
    /// reaching outside the range, or out-of-order samples inside it, make the range re-encoded.
    func encodedChunks(mint: Timestamp, maxt: Timestamp) -> [EncodedChunk] {
        var copied: [EncodedChunk] = []
        var needsReencode = outOfOrder.contains { $0.timestamp >= mint && $0.timestamp <= maxt }
        if !needsReencode {
            for meta in sealed where meta.overlaps(mint: mint, maxt: maxt) {
                guard meta.minTime >= mint && meta.maxTime <= maxt, let bytes = bytes(of: meta) else {
                    needsReencode = true
                    break
                }
                copied.append(EncodedChunk(bytes: Array(bytes), minTime: meta.minTime, maxTime: meta.maxTime, count: Int(meta.count)))
            }
        }
        if !needsReencode {
            for chunk in memory where chunk.count > 0 && chunk.minTime <= maxt && chunk.maxTime >= mint {
                guard chunk.minTime >= mint && chunk.maxTime <= maxt else { needsReencode = true; break }
                copied.append(EncodedChunk(chunk))
            }
        }
        if !needsReencode { return copied }
        return XORChunk.encode(samples(mint: mint, maxt: maxt)).map(EncodedChunk.init)
    }

    /// The sealed chunks' bytes, for a checkpoint.
    func sealedEncoded() -> [EncodedChunk] {
        sealed.compactMap { meta in
            guard let bytes = bytes(of: meta) else { return nil }
            return EncodedChunk(bytes: Array(bytes), minTime: meta.minTime, maxTime: meta.maxTime, count: Int(meta.count))
        }
    }

    /// Samples held in memory (unwritten and open chunks, out-of-order samples), in time order.
    func memorySamples() -> [Sample] {
        var inOrder: [Sample] = []
        for chunk in memory {
            chunk.forEach { t, v in
                inOrder.append(Sample(timestamp: t, value: v))
                return true
            }
        }
        return inOrder + outOfOrder
    }
}
