import TimeSeriesCore

extension Parser {
    /// A series written as `name{a="b"}`, `{__name__="name", a="b"}` or `{}`: its labels, as
    /// Prometheus' ParseMetric reads the series of rule unit tests. Only `=` matchers may appear.
    public static func metric(_ text: String) throws(ParseError) -> Labels {
        let trimmed = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        if trimmed.filter({ !$0.isWhitespace }) == "{}" { return .empty }
        guard case .vectorSelector(let selector) = try parse(trimmed), selector.offset == 0, selector.at == nil else {
            throw ParseError("not a series: \(trimmed)", at: 0, in: trimmed)
        }
        guard selector.matchers.allSatisfy({ $0.type == .equal }) else {
            throw ParseError("a series has only = matchers: \(trimmed)", at: 0, in: trimmed)
        }
        return Labels(selector.matchers.map { Label($0.name, $0.value) })
    }
}
