#if canImport(Glibc)
import Glibc
#endif

/// Series and samples of one write, as flat arrays: label bytes are kept as received, with a hash
/// per series, so storage finds a known series without building a single string.
///
/// Label pairs of a series are sorted by name, names unique and non-empty, values non-empty and
/// everything valid UTF-8; whoever builds a batch has checked this.
public struct WriteBatch: Sendable {
    /// All label names and values, back to back.
    public private(set) var bytes: [UInt8] = []
    /// Per label pair: where its name starts, where its value starts, where it ends (in `bytes`).
    public private(set) var pairs: [(name: Int32, value: Int32, end: Int32)] = []
    /// Per series: the end of its pairs (in `pairs`) and of its samples (in `samples`).
    public private(set) var seriesEnds: [(pairs: Int32, samples: Int32)] = []
    public private(set) var hashes: [UInt64] = []
    public private(set) var samples: [Sample] = []

    public init() {}

    public init(reservingSeries series: Int, samples: Int, bytes: Int) {
        self.bytes.reserveCapacity(bytes)
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

    public var seriesCount: Int { seriesEnds.count }
    public var sampleCount: Int { samples.count }

    public mutating func appendLabel(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        // Typed buffers take the memcpy path of `append(contentsOf:)`.
        let nameStart = Int32(bytes.count)
        name.withMemoryRebound(to: UInt8.self) { bytes.append(contentsOf: $0) }
        let valueStart = Int32(bytes.count)
        value.withMemoryRebound(to: UInt8.self) { bytes.append(contentsOf: $0) }
        pairs.append((nameStart, valueStart, Int32(bytes.count)))
    }

    public mutating func appendLabel(name: String, value: String) {
        var name = name
        var value = value
        name.withUTF8 { n in value.withUTF8 { v in appendLabel(name: UnsafeRawBufferPointer(n), value: UnsafeRawBufferPointer(v)) } }
    }

    public mutating func appendSample(_ sample: Sample) { samples.append(sample) }

    /// Ends the series begun by the labels and samples appended since the previous series.
    public mutating func endSeries() {
        let firstPair = Int(seriesEnds.last?.pairs ?? 0)
        seriesEnds.append((Int32(pairs.count), Int32(samples.count)))
        hashes.append(Self.hash(bytes: bytes, pairs: pairs[firstPair...]))
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

    /// Whether series `index` has exactly these labels.
    public func labels(of index: Int, equal labels: Labels) -> Bool {
        let range = pairRange(index)
        guard range.count == labels.pairs.count else { return false }
        // Unsafe buffers borrow the strings instead of retaining each one (a known series is checked
        // on every write).
        return bytes.withUnsafeBytes { raw in
            pairs.withUnsafeBufferPointer { pairs in
                labels.pairs.withUnsafeBufferPointer { stored in
                    for (i, offset) in range.enumerated() {
                        let pair = pairs[offset]
                        guard Self.equal(stored[i].name, raw, Int(pair.name), Int(pair.value)),
                              Self.equal(stored[i].value, raw, Int(pair.value), Int(pair.end)) else { return false }
                    }
                    return true
                }
            }
        }
    }

    private static func equal(_ string: String, _ raw: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        let utf8 = string.utf8
        guard utf8.count == end - start else { return false }
        if let same = utf8.withContiguousStorageIfAvailable({ $0.isEmpty || memcmp($0.baseAddress!, raw.baseAddress! + start, $0.count) == 0 }) {
            return same
        }
        return utf8.elementsEqual(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
    }

    /// The labels of series `index` as strings, for a series seen for the first time.
    public func labels(of index: Int) -> Labels {
        Labels(sortedUnique: pairRange(index).map { offset in
            let pair = pairs[offset]
            return Label(string(Int(pair.name), Int(pair.value)), string(Int(pair.value), Int(pair.end)))
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
        var single = WriteBatch()
        for pair in labels.pairs { single.appendLabel(name: pair.name, value: pair.value) }
        return hash(bytes: single.bytes, pairs: single.pairs[...])
    }

    /// A 64-bit hash of a label set's bytes, eight bytes at a time; the same labels hash the same
    /// whether they come from a request or from `Labels`.
    static func hash(bytes: [UInt8], pairs: ArraySlice<(name: Int32, value: Int32, end: Int32)>) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        bytes.withUnsafeBytes { raw in
            for pair in pairs {
                h = mix(h, raw, Int(pair.name), Int(pair.value), separator: 0xff)
                h = mix(h, raw, Int(pair.value), Int(pair.end), separator: 0xfe)
            }
        }
        return h
    }

    @inline(__always)
    private static func mix(_ seed: UInt64, _ raw: UnsafeRawBufferPointer, _ start: Int, _ end: Int, separator: UInt64) -> UInt64 {
        var h = seed
        var offset = start
        while offset + 8 <= end {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            h = (h ^ word) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            offset += 8
        }
        var tail: UInt64 = separator << 56 | UInt64(end - start)
        var shift: UInt64 = 0
        while offset < end {
            tail ^= UInt64(raw[offset]) << shift
            shift += 8
            offset += 1
        }
        h = (h ^ tail) &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 31)
    }
}
