import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Segment files of WAL records in one directory, named by sequence number (`00000000`, ...).
/// Appends go to the last segment; a segment is closed when it reaches `segmentSize`.
///
/// Not thread-safe: the database serializes access.
final class WriteAheadLog {
    struct ReplayReport: Sendable, Equatable {
        var segments = 0
        var records = 0
        var bytes = 0
        /// Set when a torn or corrupt tail was found and cut off.
        var truncatedAt: (segment: Int, offset: Int)?
        var droppedBytes = 0
        /// Damaged stretches in the middle of segments, skipped to the next intact record.
        var skippedRegions = 0
        var checkpoint: Int?

        static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.segments == rhs.segments && lhs.records == rhs.records && lhs.bytes == rhs.bytes
                && lhs.truncatedAt?.segment == rhs.truncatedAt?.segment
                && lhs.truncatedAt?.offset == rhs.truncatedAt?.offset && lhs.droppedBytes == rhs.droppedBytes
                && lhs.checkpoint == rhs.checkpoint
        }
    }

    let directory: URL
    let segmentSize: Int
    let syncPolicy: WALSyncPolicy
    /// Puts a file's written data on disk (`fsync`); replaced in tests to count or fail flushes.
    var flushFile: (Int32) -> Int32 = { fsync($0) }
    private var fd: Int32 = -1
    private(set) var currentSegment = 0
    private var currentSize = 0
    private var closedSegmentsSize = 0

    init(directory: URL, segmentSize: Int = 128 << 20, syncPolicy: WALSyncPolicy) throws {
        self.directory = directory
        self.segmentSize = segmentSize
        self.syncPolicy = syncPolicy
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    private var checkpointSize = 0

    var totalSize: Int { closedSegmentsSize + currentSize + checkpointSize }

    func segmentNumbers() throws -> [Int] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.count == 8 && $0.allSatisfy(\.isNumber) }
            .compactMap { Int($0) }
            .sorted()
    }

    func segmentPath(_ number: Int) -> String {
        directory.appendingPathComponent(String(format: "%08d", number)).path
    }

    /// Reads every record in order and hands it to `apply`. Damage in the middle of the log loses
    /// only the damaged bytes: reading resumes at the next intact record (found by its checksum) and
    /// every later segment is kept, with what was lost logged. Damage that runs to the end of the
    /// last segment is a torn write: the segment is cut after the last good record, so the next
    /// append continues from there. Opens the log for appending afterwards.
    func replay(logger: Logger, _ apply: (WALRecord) -> Void) throws -> ReplayReport {
        var report = ReplayReport()
        let checkpoint = try latestCheckpoint()
        if let checkpoint {
            let path = checkpointPath(checkpoint)
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let end = data.withUnsafeBytes { Self.readRecords($0, report: &report, apply) }
            // A checkpoint is renamed into place only once complete, so damage here is not a torn write.
            guard end == data.count else { throw WALError(operation: "read checkpoint", path: path, errno: EILSEQ) }
            report.checkpoint = checkpoint
            logger.info("WAL checkpoint replayed", metadata: ["checkpoint": "\(checkpoint)", "records": "\(report.records)"])
        }
        let numbers = try segmentNumbers().filter { checkpoint == nil || $0 > checkpoint! }
        var lastGood = numbers.last ?? (checkpoint.map { $0 + 1 } ?? 0)
        for (position, number) in numbers.enumerated() {
            let path = segmentPath(number)
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            report.segments += 1
            let scan = data.withUnsafeBytes { Self.scanRecords($0, report: &report, apply) }
            report.bytes += scan.end - scan.skippedBytes
            if scan.skippedBytes > 0 {
                report.droppedBytes += scan.skippedBytes
                report.skippedRegions += scan.skippedRegions
                logger.error("WAL damaged; the damaged records were lost and every intact record after them kept", metadata: [
                    "segment": "\(number)", "lostBytes": "\(scan.skippedBytes)", "damagedRegions": "\(scan.skippedRegions)",
                ])
            }
            if scan.end < data.count {
                report.droppedBytes += data.count - scan.end
                if position == numbers.count - 1 {
                    // A torn write at the end of the log.
                    report.truncatedAt = (number, scan.end)
                    guard truncate(path, off_t(scan.end)) == 0 else {
                        throw WALError(operation: "truncate", path: path, errno: errno)
                    }
                    logger.warning("WAL ended in a torn record; truncated after the last good record", metadata: [
                        "segment": "\(number)", "offset": "\(scan.end)", "droppedBytes": "\(data.count - scan.end)",
                    ])
                } else {
                    logger.error("WAL segment damaged to its end; the segments after it are kept", metadata: [
                        "segment": "\(number)", "offset": "\(scan.end)", "lostBytes": "\(data.count - scan.end)",
                    ])
                }
            }
            // Progress, as Prometheus logs it: one line per segment, with the last one to come.
            logger.info("WAL segment replayed", metadata: [
                "segment": "\(number)", "lastSegment": "\(numbers.last!)", "records": "\(report.records)",
            ])
        }
        if let checkpoint {
            // Left over when the process stopped between writing a checkpoint and deleting what it replaces.
            for number in try segmentNumbers() where number <= checkpoint { unlink(segmentPath(number)) }
            checkpointSize = (try? FileManager.default.attributesOfItem(atPath: checkpointPath(checkpoint))[.size] as? Int) ?? 0
        }
        let kept = try segmentNumbers()
        closedSegmentsSize = 0
        for number in kept where number != lastGood {
            closedSegmentsSize += (try? FileManager.default.attributesOfItem(atPath: segmentPath(number))[.size] as? Int) ?? 0
        }
        try openSegment(lastGood)
        return report
    }

    /// Applies every intact record from the start of `buffer`; returns where the intact part ends.
    private static func readRecords(_ buffer: UnsafeRawBufferPointer, report: inout ReplayReport, _ apply: (WALRecord) -> Void) -> Int {
        readRecords(buffer) { record in
            apply(record)
            report.records += 1
        }
    }

    static func readRecords(_ buffer: UnsafeRawBufferPointer, _ apply: (WALRecord) -> Void) -> Int {
        var offset = 0
        while offset < buffer.count, let (record, next) = record(in: buffer, at: offset) {
            apply(record)
            offset = next
        }
        return offset
    }

    /// What a segment holds: every intact record applied, damaged stretches skipped up to the next
    /// record whose checksum holds. `end` is where the last intact record ends.
    private static func scanRecords(_ buffer: UnsafeRawBufferPointer, report: inout ReplayReport,
                                    _ apply: (WALRecord) -> Void) -> (end: Int, skippedBytes: Int, skippedRegions: Int) {
        var offset = 0
        var end = 0
        var skippedBytes = 0
        var skippedRegions = 0
        while offset < buffer.count {
            if let (record, next) = record(in: buffer, at: offset) {
                apply(record)
                report.records += 1
                offset = next
                end = next
                continue
            }
            // Damage: look for the next offset where a whole record checks out.
            var candidate = offset + 1
            while candidate < buffer.count, record(in: buffer, at: candidate) == nil { candidate += 1 }
            guard candidate < buffer.count else { break }
            skippedBytes += candidate - offset
            skippedRegions += 1
            offset = candidate
        }
        return (end, skippedBytes, skippedRegions)
    }

    /// The record at `offset` and where the next begins, if its framing, checksum and content hold.
    static func record(in buffer: UnsafeRawBufferPointer, at offset: Int) -> (WALRecord, Int)? {
        guard offset + WALRecord.headerSize <= buffer.count else { return nil }
        let kind = buffer[offset]
        // Cheap tests first: while resynchronizing most offsets fail here, before a checksum.
        guard WALRecord.Kind(rawValue: kind) != nil else { return nil }
        let length = Int(ByteReader.u32LE(buffer, at: offset + 1))
        let crc = ByteReader.u32LE(buffer, at: offset + 5)
        let start = offset + WALRecord.headerSize
        guard length <= buffer.count - start else { return nil }
        let payload = UnsafeRawBufferPointer(rebasing: buffer[start..<start + length])
        guard CRC32C.checksum(payload) == crc, let record = WALRecord.decode(kind: kind, payload: payload) else { return nil }
        return (record, start + length)
    }

    func checkpointPath(_ number: Int) -> String {
        directory.appendingPathComponent(String(format: "checkpoint.%08d", number)).path
    }

    func latestCheckpoint() throws -> Int? {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("checkpoint.") && !$0.hasSuffix(".tmp") }
            .compactMap { Int($0.dropFirst("checkpoint.".count)) }
            .max()
    }

    /// Closes the current segment and starts the next; returns the number of the closed one.
    func cutSegment() throws -> Int {
        let closed = currentSegment
        if fd >= 0 { _ = flushFile(fd) }
        closedSegmentsSize += currentSize
        try openSegment(currentSegment + 1)
        return closed
    }

    /// Writes `records` as the checkpoint of every segment up to `number`; safe without the lock
    /// because only `checkpointWritten` makes the log use it. Returns the file's size.
    static func writeCheckpointFile(_ records: [UInt8], number: Int, directory: URL) throws -> Int {
        let url = directory.appendingPathComponent(String(format: "checkpoint.%08d", number))
        try writeFileAtomically(records, to: url)
        return records.count
    }

    /// Deletes the segments up to `number` and older checkpoints once checkpoint `number` is on disk.
    /// Replay then reads the checkpoint and the segments after it.
    func checkpointWritten(_ number: Int, size: Int) throws {
        for segment in try segmentNumbers() where segment <= number && segment != currentSegment {
            closedSegmentsSize -= (try? FileManager.default.attributesOfItem(atPath: segmentPath(segment))[.size] as? Int) ?? 0
            unlink(segmentPath(segment))
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasPrefix("checkpoint.") {
            if let older = Int(name.dropFirst("checkpoint.".count)), older < number {
                unlink(directory.appendingPathComponent(name).path)
            }
        }
        checkpointSize = size
    }

    private func openSegment(_ number: Int) throws {
        if fd >= 0 { Glibc.close(fd) }
        let path = segmentPath(number)
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WALError(operation: "open", path: path, errno: errno) }
        currentSegment = number
        currentSize = Int(lseek(fd, 0, SEEK_END))
    }

    /// Writes encoded records; returns once the kernel has them (and the disk, with `.always`).
    func write(_ bytes: [UInt8]) throws {
        if fd < 0 { try openSegment(currentSegment) }
        if currentSize > 0 && currentSize + bytes.count > segmentSize {
            closedSegmentsSize += currentSize
            try openSegment(currentSegment + 1)
        }
        let path = segmentPath(currentSegment)
        try bytes.withUnsafeBytes { buffer in
            do {
                try writeAll(fd, buffer, path: path)
            } catch let error as StorageIOError {
                // Cut a partial record so the log stays replayable.
                _ = ftruncate(fd, off_t(currentSize))
                throw WALError(operation: "write", path: path, errno: error.code)
            }
        }
        if syncPolicy == .always && flushFile(fd) != 0 {
            let failure = errno
            // The append fails, so its records must not come back on replay.
            _ = ftruncate(fd, off_t(currentSize))
            throw WALError(operation: "fsync", path: segmentPath(currentSegment), errno: failure)
        }
        currentSize += bytes.count
    }

    func sync() {
        if fd >= 0 { _ = flushFile(fd) }
    }

    func close() {
        if fd >= 0 {
            _ = flushFile(fd)
            Glibc.close(fd)
            fd = -1
        }
    }
}
