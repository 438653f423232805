/// A finite, non-zero double's shortest round-trip decimal digits (no leading or trailing zeros)
/// and the decimal exponent of the first digit: 1234.5 is ("12345", 3). The basis of Go's `%e`
/// and `%g` forms, which the Prometheus APIs and templates print.
public func shortestDecimalDigits(_ value: Double) -> (negative: Bool, digits: String, exponent: Int) {
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
    return (negative, digits, exponent + point - 1 - leadingZeros)
}

/// Go's exponent form of shortest digits: `1.2345e+03`.
public func goExponentForm(negative: Bool, digits: String, exponent: Int) -> String {
    let body = digits.count > 1 ? String(digits.first!) + "." + digits.dropFirst() : digits
    let e = abs(exponent)
    return (negative ? "-" : "") + body + "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + "\(e)"
}
