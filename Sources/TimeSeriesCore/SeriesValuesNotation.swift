/// Values written in Prometheus' expanding notation, as rule unit tests and PromQL test scripts
/// load series: `1 2 _ stale 0+10x3 5-1x2 7x2 _x3`.
/// - `a+bxn` and `a-bxn` are `a` then `n` more values, each `b` above (below) the one before,
///   added up as Prometheus adds them;
/// - `axn` is `a` written `n + 1` times;
/// - `_` is one missing value and `_xn` is `n` of them;
/// - `stale` is a staleness marker.
/// Missing values are nil. A token that is none of these is an error naming it.
public func expandSeriesValues(_ text: String) throws(SeriesValuesError) -> [Double?] {
    var out: [Double?] = []
    for token in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
        try expandToken(token, into: &out)
    }
    return out
}

public struct SeriesValuesError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}

/// The most values one token may expand to: a typo such as `0+1x99999999999` must not take
/// the machine's memory.
let maximumExpansion = 1_000_000

private func expandToken(_ token: Substring, into out: inout [Double?]) throws(SeriesValuesError) {
    func bad(_ why: String) -> SeriesValuesError { SeriesValuesError(description: "bad series value \"\(token)\": \(why)") }
    func times(_ text: Substring) throws(SeriesValuesError) -> Int {
        guard let n = Int(text), n >= 0 else { throw bad("\"x\" must be followed by a count") }
        guard n < maximumExpansion else { throw bad("more than \(maximumExpansion) values") }
        return n
    }
    if token == "_" { out.append(nil); return }
    if token.hasPrefix("_x") {
        out += Array(repeating: nil, count: try times(token.dropFirst(2)))
        return
    }
    if token == "stale" { out.append(StaleNaN.value); return }
    guard let (start, afterStart) = leadingNumber(token) else { throw bad("not a number") }
    var rest = token[afterStart...]
    if rest.isEmpty { out.append(start); return }
    if rest.first == "x" {
        let n = try times(rest.dropFirst())
        out += Array(repeating: start, count: n + 1)
        return
    }
    guard let sign = rest.first, sign == "+" || sign == "-" else { throw bad("unexpected \"\(rest)\"") }
    rest = rest.dropFirst()
    guard let (step, afterStep) = leadingNumber(rest, signed: false), rest[afterStep...].first == "x" else {
        throw bad("an increment is written a+bxn or a-bxn")
    }
    let n = try times(rest[afterStep...].dropFirst())
    let increment = sign == "+" ? step : -step
    var value = start
    for _ in 0...n {
        out.append(value)
        value += increment
    }
}

/// The number a token starts with (optionally signed; `Inf` and `NaN` in any case) and where it ends.
private func leadingNumber(_ text: Substring, signed: Bool = true) -> (Double, Substring.Index)? {
    var index = text.startIndex
    var negative = false
    if signed, let first = text.first, first == "+" || first == "-" {
        negative = first == "-"
        index = text.index(after: index)
    }
    let body = text[index...]
    for word in ["inf", "nan"] where body.lowercased().hasPrefix(word) {
        let end = text.index(index, offsetBy: 3)
        let value: Double = word == "inf" ? .infinity : .nan
        return (negative ? -value : value, end)
    }
    var end = index
    var sawDigit = false
    var sawExponent = false
    while end < text.endIndex {
        let c = text[end]
        if c.isASCII && c.isNumber { sawDigit = true } else if c == "." && !sawExponent {
        } else if (c == "e" || c == "E") && sawDigit && !sawExponent {
            sawExponent = true
            let next = text.index(after: end)
            if next < text.endIndex && (text[next] == "+" || text[next] == "-") { end = next }
        } else { break }
        end = text.index(after: end)
    }
    guard sawDigit, let value = Double(text[index..<end]) else { return nil }
    return (negative ? -value : value, end)
}
