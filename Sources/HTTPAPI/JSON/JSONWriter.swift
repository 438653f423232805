import TimeSeriesCore

/// Builds JSON text directly, so the API's shapes (values as strings, timestamps as float seconds,
/// key order) are exactly Prometheus' and no intermediate objects are allocated per sample.
struct JSONWriter {
    private(set) var text = ""

    init(reserve: Int = 256) { text.reserveCapacity(reserve) }

    mutating func raw(_ s: String) { text += s }

    mutating func string(_ value: String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "<": text += "\\u003c"
            case ">": text += "\\u003e"
            case "&": text += "\\u0026"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }

    mutating func labels(_ labels: Labels) {
        text += "{"
        for (i, pair) in labels.pairs.enumerated() {
            if i > 0 { text += "," }
            string(pair.name)
            text += ":"
            string(pair.value)
        }
        text += "}"
    }

    /// `[1435781451.781,"1"]`
    mutating func point(_ timestamp: Timestamp, _ value: Double) {
        text += "["
        text += formatTimestamp(timestamp)
        text += ",\""
        text += formatValue(value)
        text += "\"]"
    }

    mutating func stringArray(_ values: [String]) {
        text += "["
        for (i, value) in values.enumerated() {
            if i > 0 { text += "," }
            string(value)
        }
        text += "]"
    }
}

/// Milliseconds as float seconds with exactly the digits Prometheus writes (`12.5` is `12.500`).
func formatTimestamp(_ t: Timestamp) -> String {
    let negative = t < 0
    let magnitude = t.magnitude
    var out = negative ? "-" : ""
    out += String(magnitude / 1000)
    let fraction = magnitude % 1000
    if fraction != 0 {
        out += "."
        if fraction < 100 { out += "0" }
        if fraction < 10 { out += "0" }
        out += String(fraction)
    }
    return out
}

/// A sample value as Prometheus formats it.
public func formatValue(_ value: Double) -> String { formatSampleValue(value) }
