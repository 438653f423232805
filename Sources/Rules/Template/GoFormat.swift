import Foundation
import TimeSeriesCore

/// Go's formatting of floats where templates show numbers: `%v` (the shortest digits, in exponent
/// form from 1e6 on and below 1e-4, as fmt prints a float64), and verbs with a precision (`%.4g`,
/// `%.2f`, `%e`), which Go and C print alike.
func goFormat(_ value: Double, verb: Character, precision: Int? = nil, flags: String = "") -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
    if verb == "v" || (verb == "g" && precision == nil) {
        return shortestGo(value)
    }
    let spec = "%" + flags + (precision.map { ".\($0)" } ?? "") + String(verb)
    return String(format: spec, value)
}

/// `strconv.FormatFloat(v, 'g', -1, 64)`: exponent form when the decimal exponent is below -4 or
/// at least 6.
private func shortestGo(_ value: Double) -> String {
    if value == 0 { return value.sign == .minus ? "-0" : "0" }
    let (negative, digits, decimalExponent) = shortestDecimalDigits(value)
    let sign = negative ? "-" : ""
    if decimalExponent < -4 || decimalExponent >= 6 {
        return goExponentForm(negative: negative, digits: digits, exponent: decimalExponent)
    }
    if decimalExponent < 0 {
        return sign + "0." + String(repeating: "0", count: -decimalExponent - 1) + digits
    }
    if digits.count <= decimalExponent + 1 {
        return sign + digits + String(repeating: "0", count: decimalExponent + 1 - digits.count)
    }
    let whole = digits.prefix(decimalExponent + 1)
    return sign + whole + "." + digits.dropFirst(decimalExponent + 1)
}

/// A string quoted as Go's %q quotes it.
func goQuoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7f {
                out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
