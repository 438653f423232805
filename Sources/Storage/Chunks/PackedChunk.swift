import TimeSeriesCore

/// The chunk form blocks keep: timestamps and values in separate streams, each in the cheapest of
/// its forms. Timestamps that keep one interval are just the first and the interval, as scrapes
/// and remote-write clients usually send them; others are delta-of-delta coded as in `XORChunk`.
/// Values that are all the same are stored once; values that are all whole numbers (byte and
/// request counters, most gauges) are differences of the first or second order, Rice-coded around
/// their median; anything else is XOR-ed as in `XORChunk`. Value bit patterns are kept exactly.
///
/// ```
/// varint first timestamp, form byte (bit 0: irregular timestamps; bits 1-2: value form)
/// if count > 1: varint first interval
/// if irregular: uvarint byte length, delta-of-delta codes of samples 2...
/// values: XOR    — raw 64 bits of the first value, then XOR codes
///         same   — raw 64 bits
///         whole  — order byte (1 or 2; bit 2: zero-flagged), varint first value,
///                  order 2: varint first difference, plain: varint offset,
///                  byte k (255: every residual equals the offset), then one code per residual:
///                  plain: Rice(zigzag(residual - offset)); zero-flagged: bit 0 for a zero
///                  residual, else bit 1 and Rice(zigzag(residual) - 1)
/// ```
public enum PackedChunk {
    enum ValueForm: UInt8 { case xor = 0, same = 1, whole = 2 }

    /// Encodes samples in time order (at least one).
    public static func encode(timestamps: [Timestamp], values: [Double]) -> [UInt8] {
        precondition(!timestamps.isEmpty && timestamps.count == values.count, "a chunk has samples")
        let count = timestamps.count
        var out = BitWriter()
        out.writeVarint(timestamps[0])
        let interval = count > 1 ? timestamps[1] &- timestamps[0] : 0
        var regular = true
        for i in stride(from: 2, to: count, by: 1) where timestamps[i] &- timestamps[i - 1] != interval {
            regular = false
            break
        }
        let (form, valueBits) = cheapestValues(values)
        out.write(byte: (regular ? 0 : 1) | form.rawValue << 1)
        if count > 1 { out.writeVarint(interval) }
        if !regular {
            var stream = BitWriter()
            var delta = interval
            for i in 2..<count {
                let next = timestamps[i] &- timestamps[i - 1]
                DeltaOfDeltaCode.write(next &- delta, to: &stream)
                delta = next
            }
            out.writeUVarint(UInt64(stream.bytes.count))
            out.append(aligned: stream.bytes)
        }
        out.append(aligned: valueBits.bytes)
        return out.bytes
    }

    private static func cheapestValues(_ values: [Double]) -> (ValueForm, BitWriter) {
        let first = values[0].bitPattern
        if values.allSatisfy({ $0.bitPattern == first }) {
            var writer = BitWriter()
            writer.write(bits: first, count: 64)
            return (.same, writer)
        }
        var xor = BitWriter()
        xor.write(bits: first, count: 64)
        var encoder = XORValueEncoder(first: first)
        for value in values.dropFirst() { encoder.write(value.bitPattern, to: &xor) }
        if let whole = WholeNumberCode(values), whole.bitCount < xor.bitCount {
            var writer = BitWriter()
            whole.write(to: &writer)
            return (.whole, writer)
        }
        return (.xor, xor)
    }

    /// Decodes `count` samples. Damaged bytes end the walk early; they never trap.
    public static func forEach(in bytes: UnsafeRawBufferPointer, count: Int, _ body: (Timestamp, Double) -> Bool) {
        guard count > 0 else { return }
        var reader = BitReader(bytes)
        guard var t = reader.readVarint(), let formByte = reader.readBits(8),
              let form = ValueForm(rawValue: UInt8(formByte >> 1)) else { return }
        var delta: Int64 = 0
        if count > 1 {
            guard let interval = reader.readVarint() else { return }
            delta = interval
        }
        var times: BitReader? = nil
        if formByte & 1 == 1 {
            guard let length = reader.readUVarint(), length <= UInt64(bytes.count),
                  let stream = reader.splitAligned(length: Int(length)) else { return }
            times = stream
        }
        var values = ValueReader(form: form)
        guard values.start(&reader) else { return }
        for index in 0..<count {
            if index >= 2, times != nil {
                guard let dod = DeltaOfDeltaCode.read(&times!) else { return }
                delta &+= dod
            }
            if index > 0 { t &+= delta }
            guard let v = values.next(&reader, index: index) else { return }
            if !body(t, v) { return }
        }
    }

    /// Reads the value stream one value at a time.
    private struct ValueReader {
        let form: ValueForm
        var bits: UInt64 = 0
        var leading = 0
        var trailing = 0
        var whole = WholeNumberCode.Reader()

        init(form: ValueForm) { self.form = form }

        mutating func start(_ reader: inout BitReader) -> Bool {
            switch form {
            case .xor, .same:
                guard let first = reader.readBits(64) else { return false }
                bits = first
                return true
            case .whole:
                return whole.start(&reader)
            }
        }

        @inline(__always)
        mutating func next(_ reader: inout BitReader, index: Int) -> Double? {
            switch form {
            case .same:
                return Double(bitPattern: bits)
            case .xor:
                if index > 0 { guard reader.readXORValue(into: &bits, leading: &leading, trailing: &trailing) else { return nil } }
                return Double(bitPattern: bits)
            case .whole:
                return whole.next(&reader, index: index).map { Double($0) }
            }
        }
    }
}
