import TimeSeriesCore

/// Builds JSON text directly, so the API's shapes (values as strings, timestamps as float seconds,
/// key order) are exactly Prometheus' and no intermediate objects are allocated per sample. It
/// writes UTF-8 bytes; whole numbers are written digit by digit without making strings.
struct JSONWriter {
    private var bytes: [UInt8] = []

    init(reserve: Int = 256) { bytes.reserveCapacity(reserve) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    private mutating func byte(_ ascii: Unicode.Scalar) { bytes.append(UInt8(ascii: ascii)) }

    mutating func string(_ value: String) {
        byte("\"")
        for unit in value.utf8 {
            switch unit {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case UInt8(ascii: "\n"): raw("\\n")
            case UInt8(ascii: "\r"): raw("\\r")
            case UInt8(ascii: "\t"): raw("\\t")
            case UInt8(ascii: "<"): raw("\\u003c")
            case UInt8(ascii: ">"): raw("\\u003e")
            case UInt8(ascii: "&"): raw("\\u0026")
            case ..<0x20:
                let hex = String(unit, radix: 16)
                raw("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default:
                // Bytes of multi-byte characters are >= 0x80 and pass through unchanged.
                bytes.append(unit)
            }
        }
        byte("\"")
    }

    mutating func labels(_ labels: Labels) {
        byte("{")
        for (i, pair) in labels.pairs.enumerated() {
            if i > 0 { byte(",") }
            string(pair.name)
            byte(":")
            string(pair.value)
        }
        byte("}")
    }

    /// `[1435781451.781,"1"]`
    mutating func point(_ timestamp: Timestamp, _ value: Double) {
        byte("[")
        timestampSeconds(timestamp)
        raw(",\"")
        if let whole = wholeSampleValue(value) {
            if whole < 0 { byte("-") }
            decimal(whole.magnitude)
        } else {
            raw(formatValue(value))
        }
        raw("\"]")
    }

    /// Milliseconds as float seconds with exactly the digits Prometheus writes (`12.5` is `12.500`).
    mutating func timestampSeconds(_ t: Timestamp) {
        if t < 0 { byte("-") }
        let magnitude = t.magnitude
        decimal(magnitude / 1000)
        let fraction = magnitude % 1000
        if fraction != 0 {
            byte(".")
            if fraction < 100 { byte("0") }
            if fraction < 10 { byte("0") }
            decimal(fraction)
        }
    }

    private mutating func decimal(_ value: UInt64) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }

    mutating func stringArray(_ values: [String]) {
        byte("[")
        for (i, value) in values.enumerated() {
            if i > 0 { byte(",") }
            string(value)
        }
        byte("]")
    }
}

/// Milliseconds as float seconds with exactly the digits Prometheus writes (`12.5` is `12.500`).
func formatTimestamp(_ t: Timestamp) -> String {
    var json = JSONWriter(reserve: 24)
    json.timestampSeconds(t)
    return json.text
}

/// A sample value as Prometheus formats it.
public func formatValue(_ value: Double) -> String { formatSampleValue(value) }
