/// Rice codes for non-negative integers: the quotient by 2^k in unary, then the k low bits. A
/// quotient of `escape` or more is written as `escape` ones, a 7-bit width and the whole number, so
/// an outlier costs at most 87 bits.
enum RiceCode {
    static let escape = 16

    @inline(__always)
    static func cost(_ x: UInt64, k: Int) -> Int {
        let q = x >> UInt64(k)
        return q < UInt64(escape) ? Int(q) + 1 + k : escape + 7 + (64 - x.leadingZeroBitCount)
    }

    static func cost(_ xs: [UInt64], k: Int) -> Int {
        var total = 0
        for x in xs { total += cost(x, k: k) }
        return total
    }

    /// The parameter that codes `xs` in the fewest bits, and that many bits, trying the widths
    /// around the logarithm of their mean.
    static func bestParameter(_ xs: [UInt64]) -> (k: Int, bits: Int) {
        guard !xs.isEmpty else { return (0, 0) }
        var sum = 0.0
        for x in xs { sum += Double(x) }
        let mean = sum / Double(xs.count)
        let guess = mean >= 2 ? Int(mean.log2Floor) : 0
        var best = (k: 0, bits: Int.max)
        for k in max(0, guess - 2)...min(62, guess + 1) {
            let bits = cost(xs, k: k)
            if bits < best.bits { best = (k, bits) }
        }
        return best
    }

    static func write(_ x: UInt64, k: Int, to writer: inout BitWriter) {
        let q = x >> UInt64(k)
        if q < UInt64(escape) {
            writer.write(bits: ((1 << q) - 1) << 1, count: Int(q) + 1)
            writer.write(bits: x & ((1 << UInt64(k)) - 1), count: k)
        } else {
            let width = 64 - x.leadingZeroBitCount
            writer.write(bits: (1 << UInt64(escape)) - 1, count: escape)
            writer.write(bits: UInt64(width), count: 7)
            writer.write(bits: x, count: width)
        }
    }

    static func read(k: Int, from reader: inout BitReader) -> UInt64? {
        var q = 0
        while q < escape {
            guard let bit = reader.readBit() else { return nil }
            if !bit { break }
            q += 1
        }
        if q == escape {
            guard let width = reader.readBits(7), width <= 64 else { return nil }
            return reader.readBits(Int(width))
        }
        guard let low = reader.readBits(k) else { return nil }
        return UInt64(q) << UInt64(k) | low
    }
}

extension Double {
    /// ⌊log2(self)⌋ for self ≥ 1.
    fileprivate var log2Floor: Int { Int(exponent) }
}
