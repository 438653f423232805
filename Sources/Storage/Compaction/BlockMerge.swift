import Foundation
import TimeSeriesCore

/// Merges blocks into one. Blocks that do not overlap in time have their chunks copied as they
/// are; overlapping blocks have each shared series decoded, merged (older block wins on equal
/// timestamps) and re-encoded.
enum BlockMerge {
    static func merge(_ blocks: [Block], into parent: URL) throws -> BlockMeta? {
        let sorted = blocks.sorted { $0.meta.minTime < $1.meta.minTime }
        var members: [Labels: [(block: Int, number: UInt32)]] = [:]
        for (b, block) in sorted.enumerated() {
            for number in 0..<UInt32(block.index.seriesCount) {
                guard let labels = block.index.labels(of: number) else { continue }
                members[labels, default: []].append((b, number))
            }
        }
        let labels = members.keys.sorted()
        var overlapping = false
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.meta.minTime < a.meta.maxTime { overlapping = true }
        let minTime = sorted.map(\.meta.minTime).min() ?? 0
        let maxTime = sorted.map(\.meta.maxTime).max() ?? 0
        let level = (sorted.map(\.meta.compaction.level).max() ?? 0) + 1
        let sources = Array(Set(sorted.flatMap(\.meta.compaction.sources))).sorted()
        return try BlockWriter.write(
            into: parent, minTime: minTime, maxTime: maxTime, level: level, sources: sources, labels: labels
        ) { i in
            let parts = members[labels[i]]!
            if !overlapping || parts.count == 1 {
                return parts.flatMap { part -> [EncodedChunk] in
                    let block = sorted[part.block]
                    guard let entry = block.index.entry(part.number) else { return [] }
                    return entry.chunks.compactMap { meta in
                        block.chunk(meta).map {
                            EncodedChunk(encoding: $0.encoding, bytes: Array($0.bytes), minTime: meta.minTime,
                                         maxTime: meta.maxTime, count: Int(meta.count))
                        }
                    }
                }
            }
            var samples: [Sample] = []
            for part in parts {
                let block = sorted[part.block]
                guard let entry = block.index.entry(part.number) else { continue }
                samples = SampleMerge.merge(samples, block.decode(entry.chunks, mint: .min, maxt: .max))
            }
            return XORChunk.encode(samples).map(EncodedChunk.init)
        }
    }
}
