/// Series and samples of one write, as flat arrays: label bytes are kept as received, with a hash
/// per series, so storage finds a known series without building a single string.
///
/// The bytes of a series form its key: every name and value preceded by its length (LEB128), so one
/// comparison of two byte ranges tells whether two label sets are equal.
///
/// Label pairs of a series are sorted by name, names unique and non-empty, values non-empty and
/// everything valid UTF-8; whoever builds a batch has checked this.
public struct WriteBatch: Sendable {
    /// All series keys, back to back, then unused space (`keyRange` tells where each key is).
    public private(set) var bytes: [UInt8] = []
    /// Bytes of `bytes` in use.
    private var used = 0
    /// Per label pair: where its name and its value start and end (in `bytes`).
    public private(set) var pairs: [(name: Int32, nameEnd: Int32, value: Int32, end: Int32)] = []
    /// Per series: the end of its pairs (in `pairs`), of its samples (in `samples`) and of its key
    /// (in `bytes`).
    public private(set) var seriesEnds: [(pairs: Int32, samples: Int32, bytes: Int32)] = []
    public private(set) var hashes: [UInt64] = []
    public private(set) var samples: [Sample] = []

    public init() {}

    public init(reservingSeries series: Int, samples: Int, bytes: Int) {
        self.bytes = [UInt8](repeating: 0, count: bytes)
        pairs.reserveCapacity(series * 8)
        seriesEnds.reserveCapacity(series)
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
        for pair in labels.pairs { appendLabel(name: pair.name, value: pair.value) }
        endSeries()
    }

    public var seriesCount: Int { seriesEnds.count }
    public var sampleCount: Int { samples.count }

    public mutating func appendLabel(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        // Written through one pointer into space grown ahead: a copy per string, no per-byte checks.
        let needed = name.count + value.count + 2 * 10
        if used + needed > bytes.count { bytes.append(contentsOf: repeatElement(0, count: max(needed, bytes.count))) }
        var at = used
        var nameStart = 0, nameEnd = 0, valueStart = 0
        bytes.withUnsafeMutableBytes { out in
            at = Self.put(name, into: out, at: at)
            nameEnd = at
            nameStart = nameEnd - name.count
            at = Self.put(value, into: out, at: at)
            valueStart = at - value.count
        }
        used = at
        pairs.append((Int32(nameStart), Int32(nameEnd), Int32(valueStart), Int32(at)))
    }

    /// Writes the length of `string` (LEB128) and its bytes at `at`; returns where they end.
    @inline(__always)
    private static func put(_ string: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        var at = start
        var rest = UInt(string.count)
        while rest >= 0x80 {
            out[at] = UInt8(truncatingIfNeeded: rest) | 0x80
            at += 1
            rest >>= 7
        }
        out[at] = UInt8(rest)
        at += 1
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
        let keyStart = Int(seriesEnds.last?.bytes ?? 0)
        let keyEnd = used
        seriesEnds.append((Int32(pairs.count), Int32(samples.count), Int32(keyEnd)))
        let (hash, highBits) = bytes.withUnsafeBytes { Self.hashAndHighBits(key: UnsafeRawBufferPointer(rebasing: $0[keyStart..<keyEnd])) }
        hashes.append(hash)
        return highBits == 0
    }

    public mutating func endSeries(samples new: [Sample]) {
        samples.append(contentsOf: new)
        endSeries()
    }

    public func pairRange(_ series: Int) -> Range<Int> {
        (series == 0 ? 0 : Int(seriesEnds[series - 1].pairs))..<Int(seriesEnds[series].pairs)
    }

    public func sampleRange(_ series: Int) -> Range<Int> {
        (series == 0 ? 0 : Int(seriesEnds[series - 1].samples))..<Int(seriesEnds[series].samples)
    }

    public func keyRange(_ series: Int) -> Range<Int> {
        (series == 0 ? 0 : Int(seriesEnds[series - 1].bytes))..<Int(seriesEnds[series].bytes)
    }

    /// Calls `body` with the key of series `index`, borrowed.
    @inline(__always)
    public func withKey<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let range = keyRange(index)
        return bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// The labels of series `index` as strings, for a series seen for the first time.
    public func labels(of index: Int) -> Labels {
        Labels(sortedUnique: pairRange(index).map { offset in
            let pair = pairs[offset]
            return Label(string(Int(pair.name), Int(pair.nameEnd)), string(Int(pair.value), Int(pair.end)))
        })
    }

    private func string(_ start: Int, _ end: Int) -> String {
        bytes.withUnsafeBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }
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

    /// The hash, and the high bits of every byte OR-ed together.
    @inline(__always)
    static func hashAndHighBits(key: UnsafeRawBufferPointer) -> (hash: UInt64, highBits: UInt64) {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(key.count)
        var high: UInt64 = 0
        var offset = 0
        while offset + 8 <= key.count {
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
        h = (h ^ tail) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 31
        h = h &* 0x94D0_49BB_1331_11EB
        return (h ^ (h >> 29), high & 0x8080_8080_8080_8080)
    }
}
