import TimeSeriesCore

/// A remote-write 1.0 request of one sample per series whose timestamps and values are patched in
/// place, so a load generator encodes label sets once and only rewrites 14 bytes per sample.
///
/// Timestamps are written as varints of a fixed width (the width of `timestampWidthOf`); every
/// timestamp given to `set` must have that width, which holds for any range that does not cross
/// a power of 2^7 (about 139 years from 2^35 ms onwards).
public struct RemoteWriteTemplate: Sendable {
    public private(set) var protobuf: [UInt8] = []
    private var valueOffsets: [Int] = []
    private var timestampOffsets: [Int] = []
    public let timestampWidth: Int

    public var seriesCount: Int { valueOffsets.count }

    public init(series: [[Label]], timestampWidthOf sample: Timestamp) {
        timestampWidth = Self.varintLength(UInt64(bitPattern: sample))
        for labels in series {
            var ts: [UInt8] = []
            for label in labels {
                var encoded: [UInt8] = []
                Self.field(1, bytes: Array(label.name.utf8), into: &encoded)
                Self.field(2, bytes: Array(label.value.utf8), into: &encoded)
                Self.field(1, bytes: encoded, into: &ts)
            }
            // Sample: value (field 1, fixed64), timestamp (field 2, varint).
            ts.append(0x12)
            Self.varint(UInt64(1 + 8 + 1 + timestampWidth), into: &ts)
            let sampleStart = ts.count
            ts.append(0x09)
            ts.append(contentsOf: [UInt8](repeating: 0, count: 8))
            ts.append(0x10)
            ts.append(contentsOf: [UInt8](repeating: 0, count: timestampWidth))
            protobuf.append(0x0A)
            Self.varint(UInt64(ts.count), into: &protobuf)
            let base = protobuf.count
            protobuf.append(contentsOf: ts)
            valueOffsets.append(base + sampleStart + 1)
            timestampOffsets.append(base + sampleStart + 10)
        }
    }

    /// Writes series `index`'s sample.
    public mutating func set(_ index: Int, timestamp: Timestamp, value: Double) {
        precondition(Self.varintLength(UInt64(bitPattern: timestamp)) == timestampWidth, "timestamp width changed")
        var bits = value.bitPattern
        let v = valueOffsets[index]
        for i in 0..<8 {
            protobuf[v + i] = UInt8(truncatingIfNeeded: bits)
            bits >>= 8
        }
        var t = UInt64(bitPattern: timestamp)
        let o = timestampOffsets[index]
        for i in 0..<timestampWidth {
            protobuf[o + i] = UInt8(truncatingIfNeeded: t & 0x7f) | (i == timestampWidth - 1 ? 0 : 0x80)
            t >>= 7
        }
    }

    /// The request as a snappy-compressed body.
    public func compressed() -> [UInt8] { Snappy.compress(protobuf) }

    static func varintLength(_ value: UInt64) -> Int {
        var length = 1
        var v = value
        while v >= 0x80 {
            v >>= 7
            length += 1
        }
        return length
    }

    static func varint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func field(_ number: UInt8, bytes: [UInt8], into out: inout [UInt8]) {
        out.append(number << 3 | 2)
        varint(UInt64(bytes.count), into: &out)
        out.append(contentsOf: bytes)
    }
}
