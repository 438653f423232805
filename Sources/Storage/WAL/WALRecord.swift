import TimeSeriesCore

/// The records of the write-ahead log and their byte encoding.
///
/// Framing: `type (1 byte) | payload length (u32 LE) | CRC-32C of payload (u32 LE) | payload`.
/// A series record must precede the first samples record that names its reference.
enum WALRecord: Equatable, Sendable {
    case series([(SeriesRef, Labels)])
    case samples([(SeriesRef, Timestamp, Double)])
    /// Sealed chunks of one series, written only into checkpoints.
    case chunks(SeriesRef, [EncodedChunk])

    static func == (lhs: WALRecord, rhs: WALRecord) -> Bool {
        switch (lhs, rhs) {
        case let (.series(a), .series(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.samples(a), .samples(b)):
            return a.count == b.count
                && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 && $0.2.bitPattern == $1.2.bitPattern }
        case let (.chunks(r1, a), .chunks(r2, b)):
            return r1 == r2 && a.count == b.count && zip(a, b).allSatisfy {
                $0.bytes == $1.bytes && $0.count == $1.count && $0.minTime == $1.minTime && $0.maxTime == $1.maxTime
            }
        default:
            return false
        }
    }

    enum Kind: UInt8 { case series = 1, samples = 2, chunks = 3 }
    static let headerSize = 9

    func encode(into out: inout [UInt8]) {
        var payload = ByteWriter()
        let kind: Kind
        switch self {
        case .series(let entries):
            kind = .series
            payload.uvarint(UInt64(entries.count))
            for (ref, labels) in entries {
                payload.uvarint(UInt64(ref))
                payload.uvarint(UInt64(labels.pairs.count))
                for pair in labels.pairs {
                    payload.string(pair.name)
                    payload.string(pair.value)
                }
            }
        case .samples(let entries):
            kind = .samples
            payload.uvarint(UInt64(entries.count))
            for (ref, t, v) in entries {
                payload.uvarint(UInt64(ref))
                payload.varint(t)
                payload.fixed64(v.bitPattern)
            }
        case .chunks(let ref, let chunks):
            kind = .chunks
            payload.uvarint(UInt64(chunks.count))
            payload.uvarint(UInt64(ref))
            for chunk in chunks {
                payload.varint(chunk.minTime)
                payload.varint(chunk.maxTime)
                payload.uvarint(UInt64(chunk.count))
                payload.uvarint(UInt64(chunk.bytes.count))
                payload.bytes.append(contentsOf: chunk.bytes)
            }
        }
        out.append(kind.rawValue)
        appendLE(UInt32(payload.bytes.count), to: &out)
        appendLE(CRC32C.checksum(payload.bytes), to: &out)
        out.append(contentsOf: payload.bytes)
    }

    /// Decodes a payload whose frame and checksum were already verified.
    static func decode(kind: UInt8, payload: UnsafeRawBufferPointer) -> WALRecord? {
        var reader = ByteReader(payload)
        guard let count = reader.uvarint(), count <= UInt64(payload.count) else { return nil }
        switch Kind(rawValue: kind) {
        case .series:
            var entries: [(SeriesRef, Labels)] = []
            for _ in 0..<count {
                guard let ref = reader.uvarint(), let n = reader.uvarint(), n <= UInt64(payload.count) else { return nil }
                var pairs: [Label] = []
                for _ in 0..<n {
                    guard let name = reader.string(), let value = reader.string() else { return nil }
                    pairs.append(Label(name, value))
                }
                entries.append((SeriesRef(truncatingIfNeeded: ref), Labels(sortedUnique: pairs)))
            }
            return .series(entries)
        case .samples:
            var entries: [(SeriesRef, Timestamp, Double)] = []
            entries.reserveCapacity(Int(count))
            for _ in 0..<count {
                guard let ref = reader.uvarint(), let t = reader.varint(), let bits = reader.fixed64() else { return nil }
                entries.append((SeriesRef(truncatingIfNeeded: ref), t, Double(bitPattern: bits)))
            }
            return .samples(entries)
        case .chunks:
            guard let ref = reader.uvarint() else { return nil }
            var chunks: [EncodedChunk] = []
            for _ in 0..<count {
                guard let mint = reader.varint(), let maxt = reader.varint(), let n = reader.uvarint(),
                      let length = reader.uvarint(), n <= UInt64(UInt16.max), length <= UInt64(reader.remaining) else { return nil }
                let start = reader.offset
                let bytes = Array(UnsafeRawBufferPointer(rebasing: payload[start..<start + Int(length)]))
                reader.skip(Int(length))
                chunks.append(EncodedChunk(bytes: bytes, minTime: mint, maxTime: maxt, count: Int(n)))
            }
            return .chunks(SeriesRef(truncatingIfNeeded: ref), chunks)
        case nil:
            return nil
        }
    }
}

func appendLE(_ value: UInt32, to out: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
}

struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func uvarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func varint(_ value: Int64) {
        uvarint(zigzag(value))
    }

    mutating func fixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        uvarint(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }
}

struct ByteReader {
    private let buffer: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    var remaining: Int { buffer.count - offset }

    mutating func seek(_ position: Int) { offset = min(max(position, 0), buffer.count) }

    mutating func uvarint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < buffer.count && shift < 64 {
            let byte = buffer[offset]
            offset += 1
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
        return nil
    }

    mutating func varint() -> Int64? {
        uvarint().map(unzigzag)
    }

    mutating func fixed64() -> UInt64? {
        guard offset + 8 <= buffer.count else { return nil }
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + 8])) }
        offset += 8
        return UInt64(littleEndian: value)
    }

    mutating func string() -> String? {
        guard let length = uvarint(), length <= UInt64(buffer.count - offset) else { return nil }
        let end = offset + Int(length)
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[offset..<end]), as: UTF8.self)
        offset = end
        return value
    }

    static func u32LE(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        var value: UInt32 = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + 4])) }
        return UInt32(littleEndian: value)
    }
}
