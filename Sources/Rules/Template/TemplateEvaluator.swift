import Foundation

/// Runs parsed template nodes over the alert's data.
struct TemplateEvaluator {
    var variables: [String: TemplateValue]
    var dot: TemplateValue
    /// Fields of the top-level data (`.Labels`, `.Value`, ...).
    var fields: [String: TemplateValue] = [:]
    /// What `query` runs: an instant query at the evaluation time, as samples.
    var query: (@Sendable (String) throws -> [TemplateValue])?
    /// For `externalURL` and `pathPrefix`.
    var externalURL = ""
    private var depth = 0

    init(variables: [String: TemplateValue], dot: TemplateValue) {
        self.variables = variables
        self.dot = dot
    }

    mutating func run(_ nodes: [Template.Node]) throws(TemplateError) -> String {
        depth += 1
        defer { depth -= 1 }
        guard depth < 100 else { throw TemplateError("exceeded maximum template depth (100)") }
        var out = ""
        for node in nodes {
            switch node {
            case .text(let text):
                out += text
            case .output(let pipeline):
                let value = try evaluate(pipeline)
                out += value == .none ? "" : value.printed
            case .branch(let kind, let condition, let then, let otherwise):
                let value = try evaluate(condition)
                switch kind {
                case .if:
                    out += try run(value.isTrue ? then : otherwise)
                case .with:
                    if value.isTrue {
                        let saved = dot
                        dot = value
                        defer { dot = saved }
                        out += try run(then)
                    } else {
                        out += try run(otherwise)
                    }
                case .range:
                    let items: [TemplateValue]
                    switch value {
                    case .list(let list): items = list
                    case .map(let map): items = map.sorted { $0.key < $1.key }.map { .string($0.value) }
                    case .none: items = []
                    default: throw TemplateError("range can't iterate over \(value.printed)")
                    }
                    if items.isEmpty { out += try run(otherwise) }
                    let saved = dot
                    defer { dot = saved }
                    for item in items {
                        dot = item
                        out += try run(then)
                    }
                }
            }
        }
        return out
    }

    private mutating func evaluate(_ pipeline: Template.Pipeline) throws(TemplateError) -> TemplateValue {
        var carried: TemplateValue?
        for command in pipeline.commands {
            carried = try evaluate(command, final: carried)
        }
        return carried ?? .none
    }

    private mutating func evaluate(_ command: [Template.Operand], final: TemplateValue?) throws(TemplateError) -> TemplateValue {
        guard let head = command.first else { throw TemplateError("empty command") }
        if case .function(let name) = head {
            var arguments: [TemplateValue] = []
            for operand in command.dropFirst() { arguments.append(try value(of: operand)) }
            if let final { arguments.append(final) }
            return try call(name, arguments)
        }
        guard command.count == 1, final == nil else {
            throw TemplateError("can't give argument to non-function \(command.count > 1 ? "value" : "value")")
        }
        return try value(of: head)
    }

    private mutating func value(of operand: Template.Operand) throws(TemplateError) -> TemplateValue {
        switch operand {
        case .literal(let value): return value
        case .function(let name): return try call(name, [])
        case .nested(let pipeline): return try evaluate(pipeline)
        case .variable(let name, let path):
            var current: TemplateValue
            if name.isEmpty {
                // `.Field` reads the top-level data where dot is the data; `.` alone is dot.
                guard let first = path.first else { return dot }
                if case .sample = dot {
                    current = try Self.field(first, of: dot)
                } else if case .map(let map) = dot, map["__value__"] == nil {
                    current = map[first].map { .string($0) } ?? .string("")
                } else {
                    guard let field = fields[first] else { throw TemplateError("can't evaluate field \(first)") }
                    current = field
                }
                for key in path.dropFirst() { current = try Self.field(key, of: current) }
                return current
            }
            guard let variable = variables[name] else { throw TemplateError("undefined variable \"$\(name)\"") }
            current = variable
            for key in path { current = try Self.field(key, of: current) }
            return current
        }
    }

    /// The functions that need the evaluation's context; the rest are `TemplateFunctions`'.
    private func call(_ name: String, _ arguments: [TemplateValue]) throws(TemplateError) -> TemplateValue {
        switch name {
        case "query":
            guard arguments.count == 1 else { throw TemplateError("wrong number of args for query: want 1 got \(arguments.count)") }
            guard let query else { throw TemplateError("error calling query: no query engine") }
            do {
                return .list(try query(arguments[0].printed))
            } catch let error as TemplateError {
                throw error
            } catch {
                throw TemplateError("error calling query: \(error)")
            }
        case "externalURL":
            return .string(externalURL)
        case "pathPrefix":
            // The path of the external URL, as Prometheus' pathPrefix gives it.
            let afterScheme = externalURL.range(of: "://").map { externalURL[$0.upperBound...] } ?? Substring(externalURL)
            return .string(String(afterScheme.drop { $0 != "/" }))
        default:
            return try TemplateFunctions.call(name, arguments)
        }
    }

    private static func field(_ key: String, of value: TemplateValue) throws(TemplateError) -> TemplateValue {
        if case .sample(let labels, let number) = value {
            switch key {
            case "Labels": return .map(labels)
            case "Value": return .number(number)
            default: throw TemplateError("can't evaluate field \(key) in type *template.sample")
            }
        }
        guard case .map(let map) = value else { throw TemplateError("can't evaluate field \(key) in type \(value.printed)") }
        return .string(map[key] ?? "")
    }
}
