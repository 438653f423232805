import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Sealed head chunks, written to segment files in `chunks_head/` and read back through mappings,
/// so a series keeps only a small reference per full chunk in memory.
///
/// The files are a cache of what the WAL holds: they are recreated from the WAL at start-up.
/// Not thread-safe: the database serializes writes. Reads go through `Segment` references that a
/// query may keep after the lock is released.
final class HeadChunkStore {
    /// One segment file and its mapping. `@unchecked Sendable`: the mapping is read-only, and
    /// only bytes written before a chunk's reference was published are ever read.
    final class Segment: @unchecked Sendable {
        let number: Int
        let mapping: MappedFile
        init(number: Int, mapping: MappedFile) {
            self.number = number
            self.mapping = mapping
        }
    }

    let directory: URL
    let segmentSize: Int
    private var segments: [Int: Segment] = [:]
    /// Newest sample time of each segment, to know when truncation may drop it.
    private var segmentMaxTime: [Int: Int64] = [:]
    private var fd: Int32 = -1
    private var current = 0
    private var currentSize = 0
    private(set) var totalBytes = 0
    /// Where failed writes are counted; nil in tests of the store alone.
    let writes: DiskWrites?

    init(directory: URL, segmentSize: Int = 128 << 20, writes: DiskWrites? = nil) throws {
        self.directory = directory
        self.segmentSize = segmentSize
        self.writes = writes
        // Whatever is here is rebuilt from the WAL.
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    private func path(_ number: Int) -> String {
        directory.appendingPathComponent(String(format: "%06d", number)).path
    }

    private func startSegment(_ number: Int) throws {
        if fd >= 0 { Glibc.close(fd) }
        let path = path(number)
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StorageIOError(operation: "open", path: path, errno: errno) }
        segments[number] = Segment(number: number, mapping: try MappedFile(path: path, length: segmentSize))
        current = number
        currentSize = 0
    }

    /// Appends a chunk and returns its reference: segment number in the high 32 bits, offset low.
    func write(_ chunk: XORChunk) throws -> ChunkMeta {
        var record: [UInt8] = []
        ChunkRecord.encode(chunk.bytes, into: &record)
        if fd < 0 || currentSize + record.count > segmentSize {
            try startSegment(segments.isEmpty && segmentMaxTime.isEmpty && current == 0 && currentSize == 0 ? 0 : current + 1)
        }
        // At the explicit offset: a write the full disk cut short is overwritten by the next
        // one, so a reference never points past what was written (reading there through the
        // mapping would be SIGBUS) or at a torn record.
        do {
            try record.withUnsafeBytes { try writeAll(fd, $0, path: path(current), at: currentSize) }
        } catch {
            _ = ftruncate(fd, off_t(currentSize))
            writes?.failed(.headChunks, error)
            throw error
        }
        writes?.succeeded(.headChunks)
        let ref = UInt64(current) << 32 | UInt64(currentSize)
        currentSize += record.count
        totalBytes += record.count
        segmentMaxTime[current] = max(segmentMaxTime[current] ?? .min, chunk.maxTime)
        return ChunkMeta(ref: ref, minTime: chunk.minTime, maxTime: chunk.maxTime, count: UInt16(chunk.count))
    }

    func segment(for ref: UInt64) -> Segment? { segments[Int(ref >> 32)] }

    /// Deletes segments whose chunks all end before `time`, the one being written included (the
    /// next chunk then starts a new segment).
    func truncate(before time: Int64) {
        if let maxTime = segmentMaxTime[current], maxTime < time, fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
        for (number, maxTime) in segmentMaxTime where (number != current || fd < 0) && maxTime < time {
            let size = (try? FileManager.default.attributesOfItem(atPath: path(number))[.size] as? Int) ?? 0
            unlink(path(number))
            segments[number] = nil
            segmentMaxTime[number] = nil
            totalBytes -= size
        }
    }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }
}

extension HeadChunkStore.Segment {
    /// The bytes of the chunk at `ref` in this segment.
    func chunk(_ ref: UInt64) -> UnsafeRawBufferPointer? {
        ChunkRecord.bytes(in: mapping.bytes, at: Int(ref & 0xffff_ffff))
    }
}
