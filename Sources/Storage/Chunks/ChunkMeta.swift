import TimeSeriesCore

/// Where a sealed chunk lives and what it spans. `ref` is a file position whose meaning belongs to
/// the owner: a head chunk segment and offset, or an offset in a block's chunk file.
struct ChunkMeta: Sendable, Equatable {
    var ref: UInt64
    var minTime: Timestamp
    var maxTime: Timestamp
    var count: UInt16

    func overlaps(mint: Timestamp, maxt: Timestamp) -> Bool {
        minTime <= maxt && maxTime >= mint
    }
}

/// The framing of one chunk in a chunk file: `uvarint length | bytes | CRC-32C (u32 LE)`. In a
/// block's chunk file the bytes begin with the `ChunkEncoding`.
enum ChunkRecord {
    static func encode(_ bytes: [UInt8], into out: inout [UInt8]) {
        var length = ByteWriter()
        length.uvarint(UInt64(bytes.count))
        out.append(contentsOf: length.bytes)
        out.append(contentsOf: bytes)
        appendLE(CRC32C.checksum(bytes), to: &out)
    }

    static func encode(_ bytes: [UInt8], encoding: ChunkEncoding, into out: inout [UInt8]) {
        var length = ByteWriter()
        length.uvarint(UInt64(bytes.count + 1))
        out.append(contentsOf: length.bytes)
        let start = out.count
        out.append(encoding.rawValue)
        out.append(contentsOf: bytes)
        let checksum = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        appendLE(checksum, to: &out)
    }

    /// Where the chunk bytes of the record at `offset` lie, and where the record ends; nil when the
    /// record does not fit in `file`.
    static func span(in file: UnsafeRawBufferPointer, at offset: Int) -> (chunk: Range<Int>, end: Int)? {
        guard offset >= 0 && offset < file.count else { return nil }
        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: file[offset...]))
        guard let length = reader.uvarint() else { return nil }
        let start = offset + reader.offset
        guard length <= UInt64(file.count - start), start + Int(length) + 4 <= file.count else { return nil }
        return (start..<start + Int(length), start + Int(length) + 4)
    }

    /// Whether the record's checksum matches its chunk bytes.
    static func checksumHolds(in file: UnsafeRawBufferPointer, _ span: (chunk: Range<Int>, end: Int)) -> Bool {
        CRC32C.checksum(UnsafeRawBufferPointer(rebasing: file[span.chunk])) == ByteReader.u32LE(file, at: span.chunk.upperBound)
    }

    /// The chunk bytes of the record at `offset`, or nil when the record does not fit in `file`
    /// (or, with `verify`, fails its checksum).
    static func bytes(in file: UnsafeRawBufferPointer, at offset: Int, verify: Bool = false) -> UnsafeRawBufferPointer? {
        guard let span = span(in: file, at: offset), !verify || checksumHolds(in: file, span) else { return nil }
        return UnsafeRawBufferPointer(rebasing: file[span.chunk])
    }
}
