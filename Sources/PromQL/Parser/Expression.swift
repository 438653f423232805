import TimeSeriesCore

/// The syntax tree of the PromQL that Surge evaluates today.
public indirect enum Expression: Sendable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case vectorSelector(VectorSelector)
    case matrixSelector(VectorSelector, range: Int64)

    public var description: String {
        switch self {
        case .number(let value): formatNumber(value)
        case .string(let value): quoted(value)
        case .vectorSelector(let selector): selector.description
        case .matrixSelector(let selector, let range):
            selector.descriptionWithoutOffset + "[\(formatDuration(range))]" + selector.offsetDescription
        }
    }

    /// The type name Prometheus uses in errors: "scalar", "string", "instant vector", "range vector".
    public var typeName: String {
        switch self {
        case .number: "scalar"
        case .string: "string"
        case .vectorSelector: "instant vector"
        case .matrixSelector: "range vector"
        }
    }
}

/// `name{label="value", ...} offset 5m`: the matchers always include the name's `__name__` matcher.
public struct VectorSelector: Sendable, CustomStringConvertible {
    public var name: String?
    public var matchers: [LabelMatcher]
    /// Milliseconds to look back from the evaluation time; negative looks ahead.
    public var offset: Int64 = 0

    public var descriptionWithoutOffset: String {
        let rest = matchers.filter { !($0.name == metricNameLabel && $0.type == .equal && $0.value == name) }
        if let name, rest.isEmpty { return name }
        return (name ?? "") + "{" + rest.map(\.description).joined(separator: ", ") + "}"
    }

    var offsetDescription: String {
        offset == 0 ? "" : offset > 0 ? " offset \(formatDuration(offset))" : " offset -\(formatDuration(-offset))"
    }

    public var description: String { descriptionWithoutOffset + offsetDescription }
}

func formatNumber(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "Inf" : "-Inf" }
    return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
}

/// `1h30m` from milliseconds, largest units first, as Prometheus prints durations.
public func formatDuration(_ milliseconds: Int64) -> String {
    if milliseconds == 0 { return "0s" }
    var rest = milliseconds
    var out = ""
    let units: [(String, Int64)] = [("y", 31_536_000_000), ("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
    for (unit, size) in units where rest >= size {
        out += "\(rest / size)\(unit)"
        rest %= size
    }
    return out
}
