/// The timestamp code Gorilla chunks share: the change of interval in one of five bucket widths,
/// a zero change being a single bit.
enum DeltaOfDeltaCode {
    /// The control bits and delta-of-delta in one of the bucket widths; the widest bucket is only its
    /// four control bits here, the 64-bit delta-of-delta is written after them.
    @inline(__always)
    static func code(_ dod: Int64) -> (code: UInt64, count: Int) {
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

    static func write(_ dod: Int64, to writer: inout BitWriter) {
        let time = code(dod)
        writer.write(bits: time.code, count: time.count)
        if time.count == 4 { writer.write(bits: UInt64(bitPattern: dod), count: 64) }
    }

    static func read(_ reader: inout BitReader) -> Int64? {
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

/// The value code Gorilla chunks share: each value XOR-ed with its predecessor, only the
/// meaningful bits written, reusing the previous window of leading and trailing zeros when it fits.
struct XORValueEncoder {
    private(set) var lastBits: UInt64 = 0
    private var leading: Int = 0xff  // 0xff: no window yet
    private var trailing: Int = 0

    init(first bits: UInt64) { lastBits = bits }

    /// The value as control bits and header (`high`) and the meaningful bits (`low`).
    @inline(__always)
    mutating func code(_ bits: UInt64) -> (high: UInt64, highCount: Int, low: UInt64, lowCount: Int) {
        let xor = bits ^ lastBits
        lastBits = bits
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

    mutating func write(_ bits: UInt64, to writer: inout BitWriter) {
        let value = code(bits)
        writer.write(bits: value.high, count: value.highCount)
        writer.write(bits: value.low, count: value.lowCount)
    }
}

extension BitReader {
    /// Reads one `XORValueEncoder` code, updating the value and the window.
    mutating func readXORValue(into valueBits: inout UInt64, leading: inout Int, trailing: inout Int) -> Bool {
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
