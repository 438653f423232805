import TimeSeriesCore

/// The syntax tree of the PromQL that Surge evaluates today.
public indirect enum Expression: Sendable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case vectorSelector(VectorSelector)
    case matrixSelector(VectorSelector, range: Int64)
    case call(Function, [Expression])
    case aggregate(Aggregation)

    public var description: String {
        switch self {
        case .number(let value): formatNumber(value)
        case .string(let value): quoted(value)
        case .vectorSelector(let selector): selector.description
        case .matrixSelector(let selector, let range):
            selector.descriptionWithoutOffset + "[\(formatDuration(range))]" + selector.offsetDescription
        case .call(let function, let args):
            function.rawValue + "(" + args.map(\.description).joined(separator: ", ") + ")"
        case .aggregate(let aggregation):
            aggregation.description
        }
    }

    /// The type name Prometheus uses in errors: "scalar", "string", "instant vector", "range vector".
    public var typeName: String {
        switch self {
        case .number: "scalar"
        case .string: "string"
        case .vectorSelector: "instant vector"
        case .matrixSelector: "range vector"
        case .call, .aggregate: "instant vector"
        }
    }
}

/// An aggregation: `sum by (job) (expr)`, `topk(3, expr)`.
public struct Aggregation: Sendable, CustomStringConvertible {
    public enum Operator: String, Sendable, CaseIterable {
        case sum, avg, count, min, max, group, topk, bottomk
    }

    public var op: Operator
    /// The parameter of `topk` and `bottomk`.
    public var parameter: Expression?
    public var expression: Expression
    public var grouping: [String]
    public var without: Bool

    public var description: String {
        let clause = grouping.isEmpty && !without ? "" : (without ? " without (" : " by (") + grouping.joined(separator: ", ") + ") "
        let args = (parameter.map { [$0.description] } ?? []) + [expression.description]
        return op.rawValue + clause + "(" + args.joined(separator: ", ") + ")"
    }
}

/// Functions Surge evaluates, with their argument types.
public enum Function: String, Sendable, CaseIterable {
    case rate, irate, increase, delta, idelta
    case avgOverTime = "avg_over_time", sumOverTime = "sum_over_time", minOverTime = "min_over_time"
    case maxOverTime = "max_over_time", countOverTime = "count_over_time", lastOverTime = "last_over_time"
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
