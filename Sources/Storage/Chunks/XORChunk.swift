import TimeSeriesCore

/// Gorilla-style compressed samples: delta-of-delta timestamps and XOR-ed values.
///
/// The first sample is stored as a varint timestamp and raw value bits; the second as a timestamp
/// delta; later timestamps as the change of delta in one of five bucket widths. Values are XOR-ed
/// with their predecessor and only the meaningful bits are written, reusing the previous window of
/// leading and trailing zeros when it fits. Value bit patterns are kept exactly (stale markers too).
public struct XORChunk: Sendable {
    /// Samples per chunk before a new one is cut, as in Prometheus.
    public static let targetSamples = 120

    private var writer = BitWriter()
    public private(set) var count = 0
    public private(set) var minTime: Timestamp = 0
    public private(set) var maxTime: Timestamp = 0
    private var lastDelta: Int64 = 0
    private var values = XORValueEncoder(first: 0)

    public init() {}

    /// A sealed chunk read back from a checkpoint; it is only read, never appended to.
    init(restoring chunk: EncodedChunk) {
        writer = BitWriter(sealed: chunk.bytes)
        count = chunk.count
        minTime = chunk.minTime
        maxTime = chunk.maxTime
    }

    public var isFull: Bool { count >= Self.targetSamples }
    public var byteCount: Int { writer.bytes.count }
    public var bytes: [UInt8] { writer.bytes }
    /// The byte the next append writes into, read only to bring it into the cache.
    var lastByte: UInt8 { writer.bytes.last ?? 0 }

    public mutating func append(_ t: Timestamp, _ v: Double) {
        let bits = v.bitPattern
        switch count {
        case 0:
            minTime = t
            writer.writeVarint(t)
            writer.write(bits: bits, count: 64)
            values = XORValueEncoder(first: bits)
        case 1:
            lastDelta = t &- maxTime
            writer.writeVarint(lastDelta)
            values.write(bits, to: &writer)
        default:
            let delta = t &- maxTime
            let dod = delta &- lastDelta
            let time = DeltaOfDeltaCode.code(dod)
            lastDelta = delta
            let value = values.code(bits)
            // The usual sample (same interval, a value within the previous window) is one write.
            if time.count != 4 && time.count + value.highCount + value.lowCount <= 64 {
                writer.write(bits: (time.code << UInt64(value.highCount) | value.high) << UInt64(value.lowCount) | value.low,
                             count: time.count + value.highCount + value.lowCount)
            } else {
                writer.write(bits: time.code, count: time.count)
                if time.count == 4 { writer.write(bits: UInt64(bitPattern: dod), count: 64) }
                writer.write(bits: value.high, count: value.highCount)
                writer.write(bits: value.low, count: value.lowCount)
            }
        }
        maxTime = t
        count += 1
    }

    /// Calls `body` for each sample in order; stops early when it returns false.
    public func forEach(_ body: (Timestamp, Double) -> Bool) {
        writer.bytes.withUnsafeBytes { Self.forEach(in: $0, count: count, body) }
    }

    /// Decodes `count` samples from chunk bytes held elsewhere (a mapped file). Damaged bytes end
    /// the walk early; they never trap.
    public static func forEach(in bytes: UnsafeRawBufferPointer, count: Int, _ body: (Timestamp, Double) -> Bool) {
        var reader = BitReader(bytes)
        var t: Int64 = 0
        var delta: Int64 = 0
        var valueBits: UInt64 = 0
        var leading = 0
        var trailing = 0
        for index in 0..<count {
            switch index {
            case 0:
                guard let first = reader.readVarint(), let v = reader.readBits(64) else { return }
                t = first
                valueBits = v
            default:
                if index == 1 {
                    guard let d = reader.readVarint() else { return }
                    delta = d
                } else {
                    guard let dod = DeltaOfDeltaCode.read(&reader) else { return }
                    delta &+= dod
                }
                t &+= delta
                guard reader.readXORValue(into: &valueBits, leading: &leading, trailing: &trailing) else { return }
            }
            if !body(t, Double(bitPattern: valueBits)) { return }
        }
    }

    /// Encodes samples into chunks of `targetSamples` each.
    static func encode(_ samples: some Collection<Sample>) -> [XORChunk] {
        var chunks: [XORChunk] = []
        var current = XORChunk()
        for sample in samples {
            if current.isFull {
                chunks.append(current)
                current = XORChunk()
            }
            current.append(sample.timestamp, sample.value)
        }
        if current.count > 0 { chunks.append(current) }
        return chunks
    }
}
