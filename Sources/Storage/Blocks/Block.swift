import Foundation
import TimeSeriesCore

/// An immutable block on disk, read through mappings of its index and chunk file.
///
/// `@unchecked Sendable`: immutable after `init`; the mappings are read-only and outlive the files
/// if compaction or retention deletes the directory while a query still reads.
public final class Block: @unchecked Sendable {
    public let meta: BlockMeta
    let directory: URL
    let index: IndexReader
    private let chunkFile: MappedFile
    /// Whether each chunk's bytes begin with its encoding (false in first-version chunk files).
    private let chunksCarryEncoding: Bool
    /// Where a chunk read that finds a damaged record is reported.
    private let damage: ChunkDamage

    init(directory: URL, damage: ChunkDamage = ChunkDamage()) throws {
        self.directory = directory
        self.damage = damage
        let metaPath = directory.appendingPathComponent(BlockMeta.fileName)
        do {
            meta = try JSONDecoder().decode(BlockMeta.self, from: Data(contentsOf: metaPath))
        } catch {
            throw BlockCorruptError(path: metaPath.path, reason: "\(error)")
        }
        index = try IndexReader(path: directory.appendingPathComponent("index").path)
        let chunkPath = directory.appendingPathComponent("chunks").appendingPathComponent(ChunkFileFormat.fileName).path
        chunkFile = try MappedFile(path: chunkPath)
        let magic = chunkFile.bytes.prefix(ChunkFileFormat.magic.count)
        if ChunkFileFormat.magic.elementsEqual(magic) {
            chunksCarryEncoding = true
        } else if ChunkFileFormat.firstVersionMagic.elementsEqual(magic) {
            chunksCarryEncoding = false
        } else {
            throw BlockCorruptError(path: chunkPath, reason: "not a chunk file")
        }
        let metaSize = (try? FileManager.default.attributesOfItem(atPath: metaPath.path)[.size] as? Int) ?? 0
        sizeBytes = metaSize + index.fileSize + chunkFile.bytes.count
    }

    /// Last millisecond covered (`meta.maxTime` is exclusive).
    var lastTime: Timestamp { meta.maxTime - 1 }

    func overlaps(mint: Timestamp, maxt: Timestamp) -> Bool {
        meta.minTime <= maxt && lastTime >= mint
    }

    /// Bytes of the block's files, read once at open (a block never changes).
    let sizeBytes: Int

    /// The encoding and bytes of the chunk at `ref`; nil (and counted) when the reference, the
    /// record or its checksum is damaged: a damaged chunk's samples are left out, never decoded
    /// into wrong values.
    func chunk(_ meta: ChunkMeta) -> (encoding: ChunkEncoding, bytes: UnsafeRawBufferPointer)? {
        guard let record = ChunkRecord.bytes(in: chunkFile.bytes, at: Int(truncatingIfNeeded: meta.ref), verify: true) else {
            damage.record(block: self.meta.ulid)
            return nil
        }
        guard chunksCarryEncoding else { return (.xor, record) }
        guard let first = record.first, let encoding = ChunkEncoding(rawValue: first) else {
            damage.record(block: self.meta.ulid)
            return nil
        }
        return (encoding, UnsafeRawBufferPointer(rebasing: record.dropFirst()))
    }

    /// Walks every chunk record of the chunk file and checks its checksum: the first problem found,
    /// or nil when every record is whole. Reads the whole file.
    func verifyChunks() -> String? {
        let file = chunkFile.bytes
        var offset = ChunkFileFormat.magic.count
        while offset < file.count {
            guard let span = ChunkRecord.span(in: file, at: offset) else {
                return "the chunk record at byte \(offset) runs past the end of the file (\(file.count) bytes): the file is truncated or damaged"
            }
            guard ChunkRecord.checksumHolds(in: file, span) else { return "the chunk record at byte \(offset) fails its checksum" }
            offset = span.end
        }
        return nil
    }

    func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Series] {
        guard overlaps(mint: mint, maxt: maxt) else { return [] }
        return index.select(matchers).compactMap { number in
            guard let entry = index.entry(number) else { return nil }
            let samples = decode(entry.chunks, mint: mint, maxt: maxt)
            return samples.isEmpty ? nil : Series(labels: entry.labels, samples: samples)
        }
    }

    func seriesLabels(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Labels] {
        guard overlaps(mint: mint, maxt: maxt) else { return [] }
        return index.select(matchers).compactMap { number in
            guard let entry = index.entry(number), entry.chunks.contains(where: { $0.overlaps(mint: mint, maxt: maxt) }) else { return nil }
            return entry.labels
        }
    }

    func decode(_ chunks: [ChunkMeta], mint: Timestamp, maxt: Timestamp) -> [Sample] {
        var out: [Sample] = []
        for meta in chunks where meta.overlaps(mint: mint, maxt: maxt) {
            guard let chunk = chunk(meta) else { continue }
            chunk.encoding.forEach(in: chunk.bytes, count: Int(meta.count)) { t, v in
                if t > maxt { return false }
                if t >= mint { out.append(Sample(timestamp: t, value: v)) }
                return true
            }
        }
        return out
    }
}
