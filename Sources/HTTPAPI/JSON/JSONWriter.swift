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

/// A sample value as Prometheus formats it: the shortest digits that round-trip, never an exponent,
/// and `NaN`, `+Inf`, `-Inf` for the special values.
public func formatValue(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
    // Fast paths for the usual values: whole numbers, and those Swift already writes without an
    // exponent (its shortest round-trip digits are the ones Prometheus writes).
    let whole = value.rounded(.towardZero) == value
    if whole && value.magnitude < 1e15 && !(value == 0 && value.sign == .minus) {
        return String(Int64(value))
    }
    let description = "\(value.magnitude)"
    if !whole && !description.utf8.contains(UInt8(ascii: "e")) {
        return value.sign == .minus ? "-" + description : description
    }
    return formatValueDigits(value)
}

/// `formatValue` for finite values the long way: Swift's shortest digits, exponent spelled out.
func formatValueDigits(_ value: Double) -> String {
    let description = "\(value.magnitude)"
    let sign = value.sign == .minus ? "-" : ""
    let parts = description.split(separator: "e")
    let mantissa = parts[0]
    let exponent = parts.count > 1 ? Int(parts[1])! : 0
    let pointIndex = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
    var digits = String(mantissa.filter { $0 != "." })
    var point = pointIndex + exponent
    // Strip leading zeros of the digit string, keeping the point aligned.
    while digits.count > 1 && digits.first == "0" && point > 1 {
        digits.removeFirst()
        point -= 1
    }
    var integer: String
    var fraction: String
    if point <= 0 {
        integer = "0"
        fraction = String(repeating: "0", count: -point) + digits
    } else if point >= digits.count {
        integer = digits + String(repeating: "0", count: point - digits.count)
        fraction = ""
    } else {
        integer = String(digits.prefix(point))
        fraction = String(digits.dropFirst(point))
    }
    while fraction.last == "0" { fraction.removeLast() }
    while integer.count > 1 && integer.first == "0" { integer.removeFirst() }
    return sign + integer + (fraction.isEmpty ? "" : "." + fraction)
}
