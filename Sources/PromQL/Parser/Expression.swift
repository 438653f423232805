import TimeSeriesCore

/// The syntax tree of a PromQL query.
public indirect enum Expression: Sendable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case vectorSelector(VectorSelector)
    case matrixSelector(VectorSelector, range: Int64)
    case subquery(Subquery)
    case call(Function, [Expression])
    case aggregate(Aggregation)
    case binary(BinaryOperation)
    /// Unary minus (`-x`); unary plus is dropped by the parser.
    case negate(Expression)
    case parenthesized(Expression)

    public var description: String {
        switch self {
        case .number(let value): formatNumber(value)
        case .string(let value): quoted(value)
        case .vectorSelector(let selector): selector.description
        case .matrixSelector(let selector, let range):
            selector.descriptionWithoutModifiers + "[\(formatDuration(range))]" + selector.modifierDescription
        case .subquery(let subquery): subquery.description
        case .call(let function, let args):
            function.name + "(" + args.map(\.description).joined(separator: ", ") + ")"
        case .aggregate(let aggregation): aggregation.description
        case .binary(let operation): operation.description
        case .negate(let operand): "-" + operand.description
        case .parenthesized(let inner): "(" + inner.description + ")"
        }
    }

    public var type: ValueType {
        switch self {
        case .number: .scalar
        case .string: .string
        case .vectorSelector: .vector
        case .matrixSelector, .subquery: .matrix
        case .call(let function, _): function.returnType
        case .aggregate: .vector
        case .binary(let operation): operation.type
        case .negate(let operand), .parenthesized(let operand): operand.type
        }
    }

    /// Levels of the tree: 1 for a leaf.
    public var depth: Int {
        switch self {
        case .number, .string, .vectorSelector, .matrixSelector: 1
        case .subquery(let subquery): subquery.expression.depth + 1
        case .call(_, let args): (args.map(\.depth).max() ?? 0) + 1
        case .aggregate(let aggregation): max(aggregation.expression.depth, aggregation.parameter?.depth ?? 0) + 1
        case .binary(let operation): operation.depth
        case .negate(let operand), .parenthesized(let operand): operand.depth + 1
        }
    }

    /// The type name Prometheus uses in errors: "scalar", "string", "instant vector", "range vector".
    public var typeName: String { type.rawValue }

    /// Every vector selector in the expression, range selectors' included, in source order.
    public var selectors: [VectorSelector] {
        switch self {
        case .number, .string: []
        case .vectorSelector(let selector), .matrixSelector(let selector, _): [selector]
        case .subquery(let subquery): subquery.expression.selectors
        case .call(_, let args): args.flatMap(\.selectors)
        case .aggregate(let aggregation): (aggregation.parameter?.selectors ?? []) + aggregation.expression.selectors
        case .binary(let operation): operation.lhs.selectors + operation.rhs.selectors
        case .negate(let operand), .parenthesized(let operand): operand.selectors
        }
    }

    /// Whether a subquery appears anywhere in the expression.
    public var hasSubquery: Bool {
        switch self {
        case .number, .string, .vectorSelector, .matrixSelector: false
        case .subquery: true
        case .call(_, let args): args.contains(where: \.hasSubquery)
        case .aggregate(let aggregation): aggregation.parameter?.hasSubquery == true || aggregation.expression.hasSubquery
        case .binary(let operation): operation.lhs.hasSubquery || operation.rhs.hasSubquery
        case .negate(let operand), .parenthesized(let operand): operand.hasSubquery
        }
    }

    /// The expression without enclosing parentheses.
    var unwrapped: Expression {
        if case .parenthesized(let inner) = self { return inner.unwrapped }
        return self
    }
}

/// The four value types of PromQL, named as Prometheus names them in errors.
public enum ValueType: String, Sendable {
    case scalar = "scalar"
    case string = "string"
    case vector = "instant vector"
    case matrix = "range vector"
}

/// The `@` modifier: a fixed evaluation time, or the start or end of the query.
public enum AtModifier: Sendable, Equatable, CustomStringConvertible {
    case timestamp(Timestamp)
    case start
    case end

    public var description: String {
        switch self {
        case .timestamp(let t): "@ " + formatSeconds(t)
        case .start: "@ start()"
        case .end: "@ end()"
        }
    }
}

/// `name{label="value", ...} offset 5m @ 1600000000`: the matchers always include the name's
/// `__name__` matcher.
public struct VectorSelector: Sendable, CustomStringConvertible {
    public var name: String?
    public var matchers: [LabelMatcher]
    /// Milliseconds to look back from the evaluation time; negative looks ahead.
    public var offset: Int64 = 0
    public var at: AtModifier?

    public var descriptionWithoutModifiers: String {
        // The name goes in front only when it reads back as a metric name: an identifier that is
        // not a keyword, and no second `__name__` matcher (which would set it twice).
        guard let name, Self.readsBackAsName(name),
              matchers.filter({ $0.name == metricNameLabel }).count == 1 else {
            return "{" + matchers.map(\.description).joined(separator: ", ") + "}"
        }
        let rest = matchers.filter { !($0.name == metricNameLabel && $0.type == .equal && $0.value == name) }
        return rest.isEmpty ? name : name + "{" + rest.map(\.description).joined(separator: ", ") + "}"
    }

    static func readsBackAsName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        // Words the parser reads as numbers, or as operators and modifiers after an operand.
        let lowered = name.lowercased()
        let keywords: Set<String> = ["inf", "nan", "and", "or", "unless", "atan2", "bool", "on", "ignoring", "group_left", "group_right",
                                     "by", "without", "offset"]
        return !keywords.contains(lowered) && name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
        }
    }

    var modifierDescription: String { modifiersDescription(offset: offset, at: at) }

    public var description: String { descriptionWithoutModifiers + modifierDescription }
}

/// `expr[range:step] offset d @ t`: the inner expression evaluated at every `step` over `range`.
public struct Subquery: Sendable, CustomStringConvertible {
    public var expression: Expression
    public var range: Int64
    /// Milliseconds between evaluations; nil takes the engine's default.
    public var step: Int64?
    public var offset: Int64 = 0
    public var at: AtModifier?

    public var description: String {
        expression.description + "[\(formatDuration(range)):\(step.map(formatDuration) ?? "")]" + modifiersDescription(offset: offset, at: at)
    }
}

func modifiersDescription(offset: Int64, at: AtModifier?) -> String {
    var out = ""
    if let at { out += " " + at.description }
    if offset != 0 { out += offset > 0 ? " offset \(formatDuration(offset))" : " offset -\(formatDuration(-offset))" }
    return out
}

/// An aggregation: `sum by (job) (expr)`, `topk(3, expr)`, `count_values("v", expr)`.
public struct Aggregation: Sendable, CustomStringConvertible {
    public enum Operator: String, Sendable, CaseIterable {
        case sum, avg, count, min, max, group, stddev, stdvar, topk, bottomk, quantile
        case countValues = "count_values"

        /// The type of the parameter before the vector, for the operators that take one.
        var parameterType: ValueType? {
            switch self {
            case .topk, .bottomk, .quantile: .scalar
            case .countValues: .string
            default: nil
            }
        }
    }

    public var op: Operator
    /// The parameter of `topk`, `bottomk`, `quantile` and `count_values`.
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

/// A binary operation with its vector matching.
public struct BinaryOperation: Sendable, CustomStringConvertible {
    public enum Operator: String, Sendable, CaseIterable {
        case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%", power = "^", atan2
        case equal = "==", notEqual = "!=", greater = ">", less = "<", greaterOrEqual = ">=", lessOrEqual = "<="
        case and, or, unless

        var isComparison: Bool {
            switch self {
            case .equal, .notEqual, .greater, .less, .greaterOrEqual, .lessOrEqual: true
            default: false
            }
        }

        var isSetOperator: Bool { self == .and || self == .or || self == .unless }

        /// Binding strength, higher binds tighter.
        var precedence: Int {
            switch self {
            case .or: 1
            case .and, .unless: 2
            case .equal, .notEqual, .greater, .less, .greaterOrEqual, .lessOrEqual: 3
            case .add, .subtract: 4
            case .multiply, .divide, .modulo, .atan2: 5
            case .power: 6
            }
        }

        var isRightAssociative: Bool { self == .power }
    }

    public enum Cardinality: Sendable, Equatable {
        case oneToOne, manyToOne, oneToMany, manyToMany
    }

    /// `on(...)` / `ignoring(...)` and `group_left(...)` / `group_right(...)`.
    public struct Matching: Sendable {
        public var cardinality: Cardinality = .oneToOne
        public var labels: [String] = []
        /// `on` when true, `ignoring` when false.
        public var on = false
        /// Labels to copy from the "one" side with `group_left` / `group_right`.
        public var include: [String] = []
        /// Whether `on`/`ignoring` was written (for printing).
        public var explicit = false
    }

    public let op: Operator
    public let lhs: Expression
    public let rhs: Expression
    /// `bool` after a comparison: 0 or 1 instead of filtering.
    public let returnBool: Bool
    public let matching: Matching
    /// Scalar when both sides are, else vector; kept so that asking the type of a long chain of
    /// operations (`1 - 1 - ... - 1`) does not walk the chain each time.
    public let type: ValueType
    /// Levels of the tree below and including this operation, kept for the same reason.
    public let depth: Int

    public init(op: Operator, lhs: Expression, rhs: Expression, returnBool: Bool = false, matching: Matching) {
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        self.returnBool = returnBool
        self.matching = matching
        type = lhs.type == .scalar && rhs.type == .scalar ? .scalar : .vector
        depth = max(lhs.depth, rhs.depth) + 1
    }

    public var description: String {
        var out = lhs.description + " " + op.rawValue
        if returnBool { out += " bool" }
        if matching.explicit {
            out += (matching.on ? " on(" : " ignoring(") + matching.labels.joined(separator: ", ") + ")"
        }
        switch matching.cardinality {
        case .manyToOne: out += " group_left(" + matching.include.joined(separator: ", ") + ")"
        case .oneToMany: out += " group_right(" + matching.include.joined(separator: ", ") + ")"
        default: break
        }
        return out + " " + rhs.description
    }
}

func formatNumber(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "Inf" : "-Inf" }
    return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
}

/// Milliseconds as seconds with up to three decimals, as the `@` modifier prints them.
func formatSeconds(_ t: Timestamp) -> String {
    let seconds = Double(t) / 1000
    return formatNumber(seconds)
}

