/// Values that are all whole numbers, as differences of the first or second order Rice-coded: the
/// cheaper of around their median, or with a one-bit flag for each zero (gauges that hold still
/// between changes). See `PackedChunk` for the layout.
struct WholeNumberCode {
    private let first: Int64
    private let order: Int
    private let firstDifference: Int64
    private let zeroFlagged: Bool
    private let offset: Int64
    /// Rice parameter, or nil when every residual equals `offset`.
    private let k: Int?
    private let codes: [UInt64]
    let bitCount: Int

    /// Nil when a value is not a whole number that converts back to the same bits (fractions, NaN,
    /// infinities, -0) or a difference overflows.
    init?(_ values: [Double]) {
        var numbers: [Int64] = []
        numbers.reserveCapacity(values.count)
        for value in values {
            guard let number = Int64(exactly: value), value.bitPattern == Double(number).bitPattern else { return nil }
            numbers.append(number)
        }
        guard let differences = Self.differences(numbers) else { return nil }
        var best: WholeNumberCode? = nil
        // Second differences need at least three values.
        for order in [1, 2] where order == 1 || values.count > 2 {
            let residuals: [Int64]
            if order == 1 {
                residuals = differences
            } else {
                guard let second = Self.differences(differences) else { continue }
                residuals = second
            }
            for zeroFlagged in [false, true] {
                guard let candidate = WholeNumberCode(first: numbers[0], order: order,
                                                      firstDifference: differences.first ?? 0,
                                                      residuals: residuals, zeroFlagged: zeroFlagged) else { continue }
                if best == nil || candidate.bitCount < best!.bitCount { best = candidate }
            }
        }
        guard let best else { return nil }
        self = best
    }

    private init?(first: Int64, order: Int, firstDifference: Int64, residuals: [Int64], zeroFlagged: Bool) {
        var offset: Int64 = 0
        var codes: [UInt64] = []
        codes.reserveCapacity(residuals.count)
        if zeroFlagged {
            for residual in residuals where residual != 0 { codes.append(zigzag(residual) &- 1) }
        } else if !residuals.isEmpty {
            offset = residuals.sorted()[residuals.count / 2]
            for residual in residuals {
                let (shifted, overflow) = residual.subtractingReportingOverflow(offset)
                if overflow { return nil }
                codes.append(zigzag(shifted))
            }
        }
        self.first = first
        self.order = order
        self.firstDifference = firstDifference
        self.zeroFlagged = zeroFlagged
        self.offset = offset
        self.codes = codes
        var header = 8 + Self.varintBits(first) + 8
        if order == 2 { header += Self.varintBits(firstDifference) }
        if !zeroFlagged { header += Self.varintBits(offset) }
        let allEqual = zeroFlagged ? codes.isEmpty : codes.allSatisfy { $0 == 0 }
        if allEqual {
            k = nil
            bitCount = header
        } else {
            let best = RiceCode.bestParameter(codes)
            k = best.k
            bitCount = header + best.bits + (zeroFlagged ? residuals.count : 0)
        }
        residualZeros = zeroFlagged ? residuals.map { $0 == 0 } : []
    }

    /// For zero-flagged codes: which residuals are zero, in order.
    private let residualZeros: [Bool]

    func write(to writer: inout BitWriter) {
        writer.write(byte: UInt8(order) | (zeroFlagged ? 4 : 0))
        writer.writeVarint(first)
        if order == 2 { writer.writeVarint(firstDifference) }
        if !zeroFlagged { writer.writeVarint(offset) }
        guard let k else {
            writer.write(byte: 255)
            return
        }
        writer.write(byte: UInt8(k))
        if zeroFlagged {
            var next = 0
            for isZero in residualZeros {
                writer.write(bits: isZero ? 0 : 1, count: 1)
                if !isZero {
                    RiceCode.write(codes[next], k: k, to: &writer)
                    next += 1
                }
            }
        } else {
            for code in codes { RiceCode.write(code, k: k, to: &writer) }
        }
    }

    private static func differences(_ numbers: [Int64]) -> [Int64]? {
        var out: [Int64] = []
        out.reserveCapacity(max(0, numbers.count - 1))
        for i in numbers.indices.dropFirst() {
            let (difference, overflow) = numbers[i].subtractingReportingOverflow(numbers[i - 1])
            if overflow { return nil }
            out.append(difference)
        }
        return out
    }

    private static func varintBits(_ value: Int64) -> Int {
        let significant = max(1, 64 - zigzag(value).leadingZeroBitCount)
        return (significant + 6) / 7 * 8
    }

    /// Decodes the stream `write` produced, one value at a time, with wrapping arithmetic so
    /// damaged bytes give wrong numbers or nil, never a trap.
    struct Reader {
        private var order = 1
        private var zeroFlagged = false
        private var offset: Int64 = 0
        private var k: Int? = nil
        private var value: Int64 = 0
        private var difference: Int64 = 0

        init() {}

        mutating func start(_ reader: inout BitReader) -> Bool {
            guard let flags = reader.readBits(8), let first = reader.readVarint() else { return false }
            order = Int(flags & 3)
            zeroFlagged = flags & 4 != 0
            guard order == 1 || order == 2 else { return false }
            value = first
            if order == 2 {
                guard let d = reader.readVarint() else { return false }
                difference = d
            }
            if !zeroFlagged {
                guard let o = reader.readVarint() else { return false }
                offset = o
            }
            guard let parameter = reader.readBits(8), parameter == 255 || parameter <= 62 else { return false }
            k = parameter == 255 ? nil : Int(parameter)
            return true
        }

        @inline(__always)
        mutating func next(_ reader: inout BitReader, index: Int) -> Int64? {
            if index == 0 { return value }
            if order == 2 && index == 1 {
                value &+= difference
                return value
            }
            guard let residual = readResidual(&reader) else { return nil }
            if order == 1 {
                value &+= residual
            } else {
                difference &+= residual
                value &+= difference
            }
            return value
        }

        private mutating func readResidual(_ reader: inout BitReader) -> Int64? {
            guard let k else { return offset }
            if zeroFlagged {
                guard let nonZero = reader.readBit() else { return nil }
                if !nonZero { return 0 }
                return RiceCode.read(k: k, from: &reader).map { unzigzag($0 &+ 1) }
            }
            return RiceCode.read(k: k, from: &reader).map { unzigzag($0) &+ offset }
        }
    }
}
