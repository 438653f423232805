import TimeSeriesCore

/// How a chunk's bytes are laid out. The head writes `xor` as samples arrive; a block keeps each
/// chunk in whichever form is smaller, the encoding byte in front of the chunk's bytes.
enum ChunkEncoding: UInt8, Sendable {
    case xor = 1
    case packed = 2

    /// Decodes `count` samples of a chunk in this encoding.
    func forEach(in bytes: UnsafeRawBufferPointer, count: Int, _ body: (Timestamp, Double) -> Bool) {
        switch self {
        case .xor: XORChunk.forEach(in: bytes, count: count, body)
        case .packed: PackedChunk.forEach(in: bytes, count: count, body)
        }
    }
}

extension EncodedChunk {
    /// This chunk in its smallest encoding: an XOR chunk is re-encoded packed when that is shorter.
    func smallest() -> EncodedChunk {
        guard encoding == .xor, count > 0 else { return self }
        var timestamps: [Timestamp] = []
        var values: [Double] = []
        timestamps.reserveCapacity(count)
        values.reserveCapacity(count)
        bytes.withUnsafeBytes { raw in
            XORChunk.forEach(in: raw, count: count) { t, v in
                timestamps.append(t)
                values.append(v)
                return true
            }
        }
        guard timestamps.count == count else { return self }
        let packed = PackedChunk.encode(timestamps: timestamps, values: values)
        guard packed.count < bytes.count else { return self }
        return EncodedChunk(encoding: .packed, bytes: packed, minTime: minTime, maxTime: maxTime, count: count)
    }
}
