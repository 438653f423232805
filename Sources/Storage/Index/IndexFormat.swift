/// The layout of a block's `index` file, all integers little-endian:
///
/// ```
/// magic "SRGIDX01"
/// symbols:        u32 count, then per symbol: uvarint length, UTF-8 bytes (ascending)
/// series:         per series, in label order: uvarint label count, (uvarint name symbol,
///                 uvarint value symbol)..., uvarint chunk count, per chunk: varint min time,
///                 uvarint max-min, uvarint sample count, uvarint chunk file offset
/// postings:       per label pair: uvarint series count, uvarint deltas of series numbers
/// postings table: u32 count, per pair in (name, value) order: uvarint name symbol,
///                 uvarint value symbol, uvarint postings offset
/// series offsets: u64 per series
/// trailer:        u64 symbols, series, postings, postings table, series offsets offsets,
///                 u64 series count, u32 CRC-32C of the preceding 48 bytes
/// ```
enum IndexFormat {
    static let magic: [UInt8] = Array("SRGIDX01".utf8)
    static let trailerSize = 6 * 8 + 4
}

/// The layout of a block's chunk file `chunks/000001`: magic "SRGCHK02", then `ChunkRecord`s whose
/// bytes begin with their `ChunkEncoding`. Files of the first version ("SRGCHK01") hold XOR chunks
/// without the encoding byte and are still read.
enum ChunkFileFormat {
    static let magic: [UInt8] = Array("SRGCHK02".utf8)
    static let firstVersionMagic: [UInt8] = Array("SRGCHK01".utf8)
    static let fileName = "000001"
}

extension ByteWriter {
    mutating func fixed32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

extension ByteReader {
    static func u64LE(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + 8])) }
        return UInt64(littleEndian: value)
    }

    mutating func skip(_ count: Int) { seek(offset + count) }
}
