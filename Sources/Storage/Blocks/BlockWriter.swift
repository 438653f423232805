import Foundation
import TimeSeriesCore
#if canImport(Glibc)
import Glibc
#endif

/// One series as it goes into a block: labels and encoded chunks, oldest first.
struct BlockSeries {
    var labels: Labels
    var chunks: [EncodedChunk]
}

/// A chunk's bytes and what they span.
struct EncodedChunk {
    var encoding: ChunkEncoding
    var bytes: [UInt8]
    var minTime: Timestamp
    var maxTime: Timestamp
    var count: Int

    init(encoding: ChunkEncoding = .xor, bytes: [UInt8], minTime: Timestamp, maxTime: Timestamp, count: Int) {
        self.encoding = encoding
        self.bytes = bytes
        self.minTime = minTime
        self.maxTime = maxTime
        self.count = count
    }

    init(_ chunk: XORChunk) {
        self.init(bytes: chunk.bytes, minTime: chunk.minTime, maxTime: chunk.maxTime, count: chunk.count)
    }
}

/// Writes an immutable block: `chunks/000001`, `index`, then `meta.json`, into a temporary
/// directory renamed into place once everything is on disk.
enum BlockWriter {
    /// `labels` must ascend; `chunks(i)` gives the chunks of series `i` (series without chunks are
    /// left out). Returns the meta of the written block, or nil when no series had samples.
    static func write(
        into parent: URL, minTime: Timestamp, maxTime: Timestamp, level: Int, sources: [String],
        labels: [Labels], chunks: (Int) throws -> [EncodedChunk]
    ) throws -> BlockMeta? {
        let id = BlockID.make()
        let temp = parent.appendingPathComponent(id + ".tmp")
        try? FileManager.default.removeItem(at: temp)
        try FileManager.default.createDirectory(at: temp.appendingPathComponent("chunks"), withIntermediateDirectories: true)
        var completed = false
        defer { if !completed { try? FileManager.default.removeItem(at: temp) } }

        let chunkPath = temp.appendingPathComponent("chunks").appendingPathComponent(ChunkFileFormat.fileName).path
        let fd = open(chunkPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StorageIOError(operation: "open", path: chunkPath, errno: errno) }
        defer { close(fd) }
        var buffer = ChunkFileFormat.magic
        var fileOffset = 0
        var index = IndexWriter(allLabels: labels)
        var stats = BlockMeta.Stats(numSamples: 0, numSeries: 0, numChunks: 0)
        for (i, seriesLabels) in labels.enumerated() {
            let encoded = try chunks(i)
            guard !encoded.isEmpty else { continue }
            var metas: [ChunkMeta] = []
            for original in encoded {
                let chunk = original.smallest()
                metas.append(ChunkMeta(ref: UInt64(fileOffset + buffer.count), minTime: chunk.minTime,
                                       maxTime: chunk.maxTime, count: UInt16(chunk.count)))
                ChunkRecord.encode(chunk.bytes, encoding: chunk.encoding, into: &buffer)
                stats.numSamples += chunk.count
            }
            stats.numChunks += encoded.count
            stats.numSeries += 1
            index.add(seriesLabels, chunks: metas)
            if buffer.count >= 1 << 20 {
                try buffer.withUnsafeBytes { try writeAll(fd, $0, path: chunkPath) }
                fileOffset += buffer.count
                buffer.removeAll(keepingCapacity: true)
            }
        }
        guard stats.numSeries > 0 else { return nil }
        try buffer.withUnsafeBytes { try writeAll(fd, $0, path: chunkPath) }
        guard fsync(fd) == 0 else { throw StorageIOError(operation: "fsync", path: chunkPath, errno: errno) }

        try writeFileAtomically(index.finish(), to: temp.appendingPathComponent("index"))
        let meta = BlockMeta(ulid: id, minTime: minTime, maxTime: maxTime, stats: stats,
                             compaction: .init(level: level, sources: sources.isEmpty ? [id] : sources))
        try writeFileAtomically(try meta.encoded(), to: temp.appendingPathComponent(BlockMeta.fileName))
        let final = parent.appendingPathComponent(id)
        guard rename(temp.path, final.path) == 0 else { throw StorageIOError(operation: "rename", path: temp.path, errno: errno) }
        syncDirectory(parent)
        completed = true
        return meta
    }
}
