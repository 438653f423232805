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
    private var lastValueBits: UInt64 = 0
    private var leading: Int = 0xff  // 0xff: no window yet
    private var trailing: Int = 0

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

    public mutating func append(_ t: Timestamp, _ v: Double) {
        let bits = v.bitPattern
        switch count {
        case 0:
            minTime = t
            writer.writeVarint(t)
            writer.write(bits: bits, count: 64)
        case 1:
            lastDelta = t &- maxTime
            writer.writeVarint(lastDelta)
            let value = valueCode(bits)
            writer.write(bits: value.high, count: value.highCount)
            writer.write(bits: value.low, count: value.lowCount)
        default:
            let delta = t &- maxTime
            let dod = delta &- lastDelta
            let time = deltaOfDeltaCode(dod)
            lastDelta = delta
            let value = valueCode(bits)
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
        lastValueBits = bits
        count += 1
    }

    /// The control bits and delta-of-delta in one of the bucket widths; the widest bucket is only its
    /// four control bits here, the 64-bit delta-of-delta is written after them.
    private func deltaOfDeltaCode(_ dod: Int64) -> (code: UInt64, count: Int) {
        func fits(_ bits: Int) -> Bool {
            let limit = Int64(1) << Int64(bits - 1)
            return dod >= -(limit - 1) && dod <= limit
        }
        if dod == 0 { return (0, 1) }
        if fits(14) { return (0b10 << 14 | UInt64(bitPattern: dod) & 0x3fff, 16) }
        if fits(17) { return (0b110 << 17 | UInt64(bitPattern: dod) & 0x1_ffff, 20) }
        if fits(20) { return (0b1110 << 20 | UInt64(bitPattern: dod) & 0xf_ffff, 24) }
        return (0b1111, 4)
    }

    /// The value XOR-ed with its predecessor, as control bits and header (`high`) and the
    /// meaningful bits (`low`).
    private mutating func valueCode(_ bits: UInt64) -> (high: UInt64, highCount: Int, low: UInt64, lowCount: Int) {
        let xor = bits ^ lastValueBits
        if xor == 0 { return (0, 1, 0, 0) }
        var newLeading = xor.leadingZeroBitCount
        let newTrailing = xor.trailingZeroBitCount
        if newLeading >= 32 { newLeading = 31 }  // fits the 5-bit field
        if leading != 0xff && newLeading >= leading && newTrailing >= trailing {
            // Control bits 10, then the bits inside the previous window.
            return (0b10, 2, xor >> UInt64(trailing), 64 - leading - trailing)
        }
        leading = newLeading
        trailing = newTrailing
        let significant = 64 - leading - trailing
        // Control bits 11, the 5-bit leading-zero count and the 6-bit width; 64 significant bits are
        // written as 0, which the reader maps back to 64.
        return (0b11 << 11 | UInt64(leading) << 6 | UInt64(significant & 63), 13, xor >> UInt64(trailing), significant)
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
                    guard let dod = Self.readDeltaOfDelta(&reader) else { return }
                    delta &+= dod
                }
                t &+= delta
                guard reader.readValue(into: &valueBits, leading: &leading, trailing: &trailing) else { return }
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

    private static func readDeltaOfDelta(_ reader: inout BitReader) -> Int64? {
        var prefix = 0
        while prefix < 4 {
            guard let bit = reader.readBit() else { return nil }
            if !bit { break }
            prefix += 1
        }
        let width: Int
        switch prefix {
        case 0: return 0
        case 1: width = 14
        case 2: width = 17
        case 3: width = 20
        default: width = 64
        }
        guard let raw = reader.readBits(width) else { return nil }
        if width == 64 { return Int64(bitPattern: raw) }
        // Sign-extend from `width` bits.
        let shift = UInt64(64 - width)
        return Int64(bitPattern: raw << shift) >> Int64(shift)
    }
}

extension BitReader {
    fileprivate mutating func readValue(into valueBits: inout UInt64, leading: inout Int, trailing: inout Int) -> Bool {
        guard let changed = readBit() else { return false }
        if !changed { return true }
        guard let newWindow = readBit() else { return false }
        if newWindow {
            guard let l = readBits(5), let s = readBits(6) else { return false }
            let significant = s == 0 ? 64 : Int(s)
            leading = Int(l)
            trailing = 64 - leading - significant
            guard trailing >= 0 else { return false }
        }
        let significant = 64 - leading - trailing
        guard let bits = readBits(significant) else { return false }
        valueBits ^= bits << UInt64(trailing)
        return true
    }
}
