import Foundation

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
    // Swift's description has the shortest round-trip digits.
    var text = "\(value)"
    let negative = text.hasPrefix("-")
    if negative { text.removeFirst() }
    var mantissa = text, exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        mantissa = String(text[..<e])
        exponent = Int(text[text.index(after: e)...])!
    }
    let point = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
    var digits = mantissa.filter { $0 != "." }
    let leadingZeros = digits.prefix { $0 == "0" }.count
    digits.removeFirst(leadingZeros)
    while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast() }
    let decimalExponent = exponent + point - 1 - leadingZeros
    let sign = negative ? "-" : ""
    if decimalExponent < -4 || decimalExponent >= 6 {
        let body = digits.count > 1 ? String(digits.first!) + "." + digits.dropFirst() : digits
        let e = abs(decimalExponent)
        return sign + body + "e" + (decimalExponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + "\(e)"
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
