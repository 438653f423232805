import TimeSeriesCore

/// The Go text/template subset rule authors use, parsed once and expanded per alert: text and
/// `{{ }}` actions (`{{-`/`-}}` trim space), pipelines of functions (`$value | humanize`),
/// `$labels.NAME`, `$value`, `$externalLabels.NAME`, `$externalURL`, `.` and its fields, string,
/// number and boolean literals, `if`/`else if`/`else`, `with`, `range` and `end`. A missing label is
/// empty, as Prometheus sets `missingkey=zero`.
public struct Template: Sendable {
    indirect enum Node: Sendable {
        case text(String)
        case output(Pipeline)
        case branch(kind: BranchKind, Pipeline, then: [Node], otherwise: [Node])
    }

    enum BranchKind: Sendable { case `if`, with, range }

    struct Pipeline: Sendable {
        var commands: [[Operand]]
    }

    indirect enum Operand: Sendable {
        case literal(TemplateValue)
        /// `$name.field.field` or `.field.field` (name "").
        case variable(String, fields: [String])
        case function(String)
        case nested(Pipeline)
    }

    let nodes: [Node]

    /// Parses `text`; the error names what is wrong as Go's parser does, closely enough to find it.
    public init(_ text: String) throws(TemplateError) {
        var parser = TemplateParser(text)
        nodes = try parser.parseNodes(until: [])
    }

    /// The data a template sees: Prometheus' `$labels`, `$externalLabels`, `$externalURL`, `$value`.
    public struct Data: Sendable {
        public var labels: [String: String]
        public var value: Double
        public var externalLabels: [String: String]
        public var externalURL: String
        /// What `query` asks: the expression's value at the evaluation time (a scalar is one
        /// sample without labels). nil leaves `query` failing with its error.
        public var query: (@Sendable (String) throws -> QueryValue)?

        public init(labels: [String: String], value: Double, externalLabels: [String: String] = [:], externalURL: String = "",
                    query: (@Sendable (String) throws -> QueryValue)? = nil) {
            self.labels = labels
            self.value = value
            self.externalLabels = externalLabels
            self.externalURL = externalURL
            self.query = query
        }
    }

    public func expand(_ data: Data) throws(TemplateError) -> String {
        var evaluator = TemplateEvaluator(variables: [
            "labels": .map(data.labels), "externalLabels": .map(data.externalLabels), "externalURL": .string(data.externalURL),
            "value": .number(data.value),
        ], dot: .map(["__value__": goFormat(data.value, verb: "v")]))
        evaluator.fields = ["Labels": .map(data.labels), "ExternalLabels": .map(data.externalLabels), "ExternalURL": .string(data.externalURL),
                            "Value": .number(data.value)]
        evaluator.externalURL = data.externalURL
        if let query = data.query {
            evaluator.query = { expression in
                switch try query(expression) {
                case .vector(let elements): return elements.map { .sample(labels: $0.labels.dictionary, value: $0.value) }
                case .scalar(_, let value): return [.sample(labels: [:], value: value)]
                case let other: throw TemplateError("error calling query: expression evaluation returned a \(other.typeName), not a vector")
                }
            }
        }
        return try evaluator.run(nodes)
    }

    /// Why `text` would not expand in Prometheus, found without data: it does not parse, or it
    /// calls a function Prometheus does not define. nil when it is fine. promtool checks rule files so.
    public static func problem(in text: String) -> String? {
        guard text.contains("{{") else { return nil }
        do {
            let template = try Template(text)
            if let unknown = template.functions.subtracting(TemplateFunctions.defined).sorted().first {
                return "function \(goQuoted(unknown)) not defined"
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// The names of the functions the template calls.
    var functions: Set<String> {
        var names: Set<String> = []
        func visit(_ pipeline: Pipeline) {
            for command in pipeline.commands {
                for operand in command {
                    switch operand {
                    case .function(let name): names.insert(name)
                    case .nested(let inner): visit(inner)
                    default: break
                    }
                }
            }
        }
        func visit(_ nodes: [Node]) {
            for node in nodes {
                switch node {
                case .text: break
                case .output(let pipeline): visit(pipeline)
                case .branch(_, let condition, let then, let otherwise):
                    visit(condition)
                    visit(then)
                    visit(otherwise)
                }
            }
        }
        visit(nodes)
        return names
    }

    /// Expands `text` for an alert, as Prometheus fills in labels and annotations: a template that
    /// does not parse or expand gives `<error expanding template: ...>` instead of failing the rule.
    public static func expandForAlert(_ text: String, _ data: Data) -> String {
        guard text.contains("{{") else { return text }
        do {
            return try Template(text).expand(data)
        } catch {
            return "<error expanding template: \(error)>"
        }
    }
}
