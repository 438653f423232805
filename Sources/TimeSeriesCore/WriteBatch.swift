/// Series and samples of one write, as flat arrays: each series is found by its key, a byte string
/// with a hash, so storage finds a known series without building a single string.
///
/// A key is the series' labels as remote-write 1.0 puts them on the wire: for every pair, in name
/// order, a `Label` message (field 1) holding the name (field 1) and the value (field 2), each
/// length-prefixed, every length a minimal varint. The encoding is canonical, so one comparison of
/// two byte ranges tells whether two label sets are equal, and a request whose labels are encoded
/// this way (as Prometheus encodes them) lends its own bytes as keys (`endWireSeries`).
///
/// Label pairs of a series are sorted by name, names unique and non-empty, values non-empty and
/// everything valid UTF-8; whoever builds a batch has checked this.
public struct WriteBatch: Sendable {
    /// Keys built pair by pair (`appendLabel`), back to back, then unused space.
    public private(set) var bytes: [UInt8] = []
    /// Bytes of `bytes` in use.
    private var used = 0
    /// Where the key being built in `bytes` starts.
    private var builtKeysEnd = 0
    /// A received message whose bytes hold keys in place, never changed once adopted.
    private let wire: [UInt8]
    private var entries: [Entry] = []
    public private(set) var hashes: [UInt64] = []
    public private(set) var samples: [Sample] = []

    private struct Entry {
        /// The end of the series' samples in `samples`.
        var samplesEnd: Int32
        var keyStart: Int32
        var keyEnd: Int32
        /// Whether the key lies in `wire` rather than `bytes`.
        var inWire: Bool
    }

    public init() { wire = [] }

    public init(reservingSeries series: Int, samples: Int, bytes: Int) {
        wire = []
        self.bytes = [UInt8](repeating: 0, count: bytes)
        reserve(series: series, samples: samples)
    }

    /// A batch whose series may take their keys from `wire` (`endWireSeries`).
    public init(wire: [UInt8], reservingSeries series: Int, samples: Int) {
        self.wire = wire
        reserve(series: series, samples: samples)
    }

    private mutating func reserve(series: Int, samples: Int) {
        entries.reserveCapacity(series)
        hashes.reserveCapacity(series)
        self.samples.reserveCapacity(samples)
    }

    public init(_ series: [SeriesSamples]) {
        self.init(reservingSeries: series.count, samples: series.reduce(0) { $0 + $1.samples.count }, bytes: 0)
        for entry in series {
            for pair in entry.labels.pairs { appendLabel(name: pair.name, value: pair.value) }
            endSeries(samples: entry.samples)
        }
    }

    /// A batch of one series with these labels and no samples: its key and hash are those a write
    /// naming the same labels gets.
    public init(labels: Labels) {
        wire = []
        for pair in labels.pairs { appendLabel(name: pair.name, value: pair.value) }
        endSeries()
    }

    public var seriesCount: Int { entries.count }
    public var sampleCount: Int { samples.count }

    public mutating func appendLabel(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        // Written through one pointer into space grown ahead: a copy per string, no per-byte checks.
        let needed = name.count + value.count + 4 + 3 * 10
        if used + needed > bytes.count { bytes.append(contentsOf: repeatElement(0, count: max(needed, bytes.count))) }
        let message = Self.labelMessageLength(name: name.count, value: value.count)
        var at = used
        bytes.withUnsafeMutableBytes { out in
            out[at] = 0x0A
            at = Self.putVarint(UInt64(message), into: out, at: at + 1)
            out[at] = 0x0A
            at = Self.put(name, into: out, at: at + 1)
            out[at] = 0x12
            at = Self.put(value, into: out, at: at + 1)
        }
        used = at
    }

    /// The length of a `Label` message, canonically encoded, with a name and value of these lengths.
    @inlinable
    public static func labelMessageLength(name: Int, value: Int) -> Int {
        2 + varintLength(UInt64(name)) + name + varintLength(UInt64(value)) + value
    }

    @inlinable
    public static func varintLength(_ value: UInt64) -> Int {
        // One byte per started group of seven bits; zero takes one byte.
        (64 - (value | 1).leadingZeroBitCount + 6) / 7
    }

    @inline(__always)
    private static func putVarint(_ value: UInt64, into out: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        var at = start
        var rest = value
        while rest >= 0x80 {
            out[at] = UInt8(truncatingIfNeeded: rest) | 0x80
            at += 1
            rest >>= 7
        }
        out[at] = UInt8(rest)
        return at + 1
    }

    /// Writes the length of `string` (varint) and its bytes at `at`; returns where they end.
    @inline(__always)
    private static func put(_ string: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        let at = putVarint(UInt64(string.count), into: out, at: start)
        if let source = string.baseAddress, string.count > 0 {
            (out.baseAddress! + at).copyMemory(from: source, byteCount: string.count)
        }
        return at + string.count
    }

    public mutating func appendLabel(name: String, value: String) {
        var name = name
        var value = value
        name.withUTF8 { n in value.withUTF8 { v in appendLabel(name: UnsafeRawBufferPointer(n), value: UnsafeRawBufferPointer(v)) } }
    }

    public mutating func appendSample(_ sample: Sample) { samples.append(sample) }

    /// Ends the series begun by the labels and samples appended since the previous series. Returns
    /// whether every byte of its key is below 0x80 (ASCII text and short lengths), which the hash
    /// pass finds out for free, so a decoder checks UTF-8 pair by pair only when it is not.
    @discardableResult
    public mutating func endSeries() -> Bool {
        let keyStart = builtKeysEnd
        builtKeysEnd = used
        return addEntry(keyStart: keyStart, keyEnd: used, inWire: false)
    }

    /// Ends a series whose key is `range` of `wire`, which the caller has checked is a canonical key
    /// (see the type's comment). Returns what `endSeries()` returns.
    @discardableResult
    public mutating func endWireSeries(key range: Range<Int>) -> Bool {
        addEntry(keyStart: range.lowerBound, keyEnd: range.upperBound, inWire: true)
    }

    private mutating func addEntry(keyStart: Int, keyEnd: Int, inWire: Bool) -> Bool {
        entries.append(Entry(samplesEnd: Int32(samples.count), keyStart: Int32(keyStart), keyEnd: Int32(keyEnd), inWire: inWire))
        let (hash, highBits) = withKey(entries.count - 1) { Self.hashAndHighBits(key: $0) }
        hashes.append(hash)
        return highBits == 0
    }

    public mutating func endSeries(samples new: [Sample]) {
        samples.append(contentsOf: new)
        endSeries()
    }

    public func sampleRange(_ series: Int) -> Range<Int> {
        (series == 0 ? 0 : Int(entries[series - 1].samplesEnd))..<Int(entries[series].samplesEnd)
    }

    /// Calls `body` with the key of series `index`, borrowed.
    @inline(__always)
    public func withKey<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let entry = entries[index]
        let range = Int(entry.keyStart)..<Int(entry.keyEnd)
        if entry.inWire { return try wire.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) } }
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// Calls `body` with each name and value of series `index`, in order.
    public func forEachPair(of index: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) rethrows {
        try withKey(index) { key in try Self.forEachPair(inKey: key, body) }
    }

    /// Walks a canonical key (see the type's comment); stops early if the bytes do not hold one.
    public static func forEachPair(inKey key: UnsafeRawBufferPointer,
                                   _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) rethrows {
        var offset = 0
        // A field after its one-byte tag: its length, then its bytes.
        func field() -> Range<Int>? {
            offset += 1
            var length = 0, shift = 0
            while offset < key.count && shift <= 28 {
                let byte = key[offset]
                offset += 1
                length |= Int(byte & 0x7f) << shift
                if byte < 0x80 {
                    guard length <= key.count - offset else { return nil }
                    offset += length
                    return offset - length..<offset
                }
                shift += 7
            }
            return nil
        }
        while offset < key.count {
            guard let message = field() else { return }
            offset = message.lowerBound
            guard let name = field(), let value = field(), offset == message.upperBound else { return }
            try body(UnsafeRawBufferPointer(rebasing: key[name]), UnsafeRawBufferPointer(rebasing: key[value]))
        }
    }

    /// The labels of series `index` as strings, for a series seen for the first time.
    public func labels(of index: Int) -> Labels {
        var pairs: [Label] = []
        forEachPair(of: index) { name, value in
            pairs.append(Label(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        return Labels(sortedUnique: pairs)
    }

    /// The series in the shape the rest of the code speaks.
    public var series: [SeriesSamples] {
        (0..<seriesCount).map { SeriesSamples(labels: labels(of: $0), samples: Array(samples[sampleRange($0)])) }
    }

    /// The hash a batch gives these labels.
    public static func hash(of labels: Labels) -> UInt64 {
        WriteBatch(labels: labels).hashes[0]
    }

    /// A 64-bit hash of a series key, eight bytes at a time, well mixed in every bit (tables index
    /// by its low bits).
    public static func hash(key: UnsafeRawBufferPointer) -> UInt64 {
        hashAndHighBits(key: key).hash
    }

    /// The hash, and the high bits of every byte OR-ed together. Two lanes of eight bytes each, so
    /// the multiplications of one lane do not wait on the other's.
    @inline(__always)
    static func hashAndHighBits(key: UnsafeRawBufferPointer) -> (hash: UInt64, highBits: UInt64) {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(key.count)
        var g: UInt64 = 0x1319_8A2E_0370_7344
        var high: UInt64 = 0
        var offset = 0
        while offset + 16 <= key.count {
            let first = key.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let second = key.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
            high |= first | second
            h = (h ^ first) &* 0x9E37_79B9_7F4A_7C15
            g = (g ^ second) &* 0xC2B2_AE3D_27D4_EB4F
            h ^= h >> 29
            g ^= g >> 31
            offset += 16
        }
        if offset + 8 <= key.count {
            let word = key.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            high |= word
            h = (h ^ word) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < key.count {
            tail |= UInt64(key[offset]) << shift
            shift += 8
            offset += 1
        }
        high |= tail
        h = (h ^ tail ^ (g &* 0x1656_67B1_9E37_79F9)) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 31
        h = h &* 0x94D0_49BB_1331_11EB
        return (h ^ (h >> 29), high & 0x8080_8080_8080_8080)
    }
}
