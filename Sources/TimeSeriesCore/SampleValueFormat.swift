/// A sample value as Prometheus formats it: the shortest digits that round-trip, never an exponent,
/// and `NaN`, `+Inf`, `-Inf` for the special values.
public func formatSampleValue(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
    // Fast paths for the usual values: whole numbers, and those Swift already writes without an
    // exponent (its shortest round-trip digits are the ones Prometheus writes).
    if let whole = wholeSampleValue(value) { return String(whole) }
    let description = "\(value.magnitude)"
    if value.rounded(.towardZero) != value && !description.utf8.contains(UInt8(ascii: "e")) {
        return value.sign == .minus ? "-" + description : description
    }
    return formatSampleValueDigits(value)
}

/// The value as an integer when Prometheus writes it as one (a whole number below 1e15, not -0),
/// so writers can print its digits directly.
public func wholeSampleValue(_ value: Double) -> Int64? {
    value.rounded(.towardZero) == value && value.magnitude < 1e15 && !(value == 0 && value.sign == .minus) ? Int64(value) : nil
}

/// `formatSampleValue` for finite values the long way: Swift's shortest digits, exponent spelled out.
func formatSampleValueDigits(_ value: Double) -> String {
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
