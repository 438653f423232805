/// A value inside a rule template: what `$labels`, `$value` and the functions work on.
public enum TemplateValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case map([String: String])
    case list([TemplateValue])
    /// One sample of a `query` result: `.Labels` and `.Value`.
    case sample(labels: [String: String], value: Double)
    case none

    /// Go's truth: false, 0, "", empty collections and nil are false.
    var isTrue: Bool {
        switch self {
        case .string(let s): !s.isEmpty
        case .number(let n): n != 0
        case .bool(let b): b
        case .map(let m): !m.isEmpty
        case .list(let l): !l.isEmpty
        case .sample: true
        case .none: false
        }
    }

    /// As `{{ . }}` prints it: numbers in Go's `%v` form.
    var printed: String {
        switch self {
        case .string(let s): s
        case .number(let n): goFormat(n, verb: "v")
        case .bool(let b): b ? "true" : "false"
        case .map(let m): "map[" + m.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ") + "]"
        case .list(let l): "[" + l.map(\.printed).joined(separator: " ") + "]"
        case .sample(let labels, let value): "{" + TemplateValue.map(labels).printed + " " + goFormat(value, verb: "v") + "}"
        case .none: "<no value>"
        }
    }

    /// A number from a number or a numeric string, as Prometheus' template functions accept both.
    func number(_ function: String) throws(TemplateError) -> Double {
        switch self {
        case .number(let n): return n
        case .string(let s):
            guard let n = Double(s.trimmingPrefix(while: { $0 == " " })) else {
                throw TemplateError("error calling \(function): strconv.ParseFloat: parsing \(goQuoted(s)): invalid syntax")
            }
            return n
        default:
            throw TemplateError("error calling \(function): can't convert \(printed) to float")
        }
    }
}

/// What went wrong expanding a template; shown in the annotation as Prometheus shows it.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
