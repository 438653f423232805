import YAMLFiles
import Yams

/// `metrics:` entries as `autoscaling/v2` writes them, checked as the API server validates them,
/// plus `type: PromQL` with a query.
enum MetricSpecReader {
    static let types = ["Resource", "ContainerResource", "Pods", "Object", "External", "PromQL"]

    static func metric(_ node: Node, reader: NodeReader, validateQuery: (String) -> String?) throws -> MetricSpecification {
        let map = try reader.mapping(node, "a metric", allowed: ["type", "resource", "containerResource", "pods", "object", "external", "promql"])
        let typeNode = try reader.require(map, "type", in: "a metric", at: node)
        guard let type = typeNode.string, types.contains(type) else {
            throw reader.fail(typeNode, "metric type must be one of: \(types.joined(separator: ", "))")
        }
        let key = type == "PromQL" ? "promql" : type.prefix(1).lowercased() + type.dropFirst()
        for other in map.keys where other != "type" && other != key {
            throw reader.fail(map[other], "a \(type) metric takes \"\(key)\", not \"\(other)\"")
        }
        let body = try reader.require(map, key, in: "a \(type) metric", at: node)
        switch type {
        case "Resource", "ContainerResource":
            let fields = try reader.mapping(body, key, allowed: type == "Resource" ? ["name", "target"] : ["name", "container", "target"])
            let name = try reader.string(try reader.require(fields, "name", in: key, at: body), "\(key).name")
            let target = try self.target(try reader.require(fields, "target", in: key, at: body), reader: reader, allowed: ["Utilization", "AverageValue"])
            if type == "Resource" { return MetricSpecification(source: .resource(name), target: target) }
            let container = try reader.string(try reader.require(fields, "container", in: key, at: body), "containerResource.container")
            return MetricSpecification(source: .containerResource(name, container: container), target: target)
        case "PromQL":
            let fields = try reader.mapping(body, "promql", allowed: ["query", "target"])
            let queryNode = try reader.require(fields, "query", in: "promql", at: body)
            let query = try reader.string(queryNode, "promql.query")
            if let problem = validateQuery(query) { throw reader.fail(queryNode, "promql.query: \(problem)") }
            let target = try self.target(try reader.require(fields, "target", in: "promql", at: body), reader: reader, allowed: ["Value", "AverageValue"])
            return MetricSpecification(source: .promql(query), target: target)
        default:
            let allowed: Set<String> = type == "Object" ? ["metric", "describedObject", "target"] : ["metric", "target"]
            let fields = try reader.mapping(body, key, allowed: allowed)
            let metricNode = try reader.require(fields, "metric", in: key, at: body)
            let metric = try reader.mapping(metricNode, "\(key).metric", allowed: ["name", "selector"])
            let name = try reader.string(try reader.require(metric, "name", in: "\(key).metric", at: metricNode), "\(key).metric.name")
            let (selector, expressions) = try metric["selector"].map { try self.selector($0, reader: reader) } ?? ([:], [])
            let targets: Set<String> = type == "Pods" ? ["AverageValue"] : ["Value", "AverageValue"]
            let target = try self.target(try reader.require(fields, "target", in: key, at: body), reader: reader, allowed: targets)
            switch type {
            case "Pods": return MetricSpecification(source: .pods(name), target: target, selector: selector, selectorExpressions: expressions)
            case "External": return MetricSpecification(source: .external(name), target: target, selector: selector, selectorExpressions: expressions)
            default:
                let objectNode = try reader.require(fields, "describedObject", in: "object", at: body)
                let object = try reader.mapping(objectNode, "describedObject", allowed: ["apiVersion", "kind", "name"])
                let described = MetricSpecification.ObjectReference(
                    apiVersion: try object["apiVersion"].map { try reader.string($0, "describedObject.apiVersion") } ?? "v1",
                    kind: try reader.string(try reader.require(object, "kind", in: "describedObject", at: objectNode), "describedObject.kind"),
                    name: try reader.string(try reader.require(object, "name", in: "describedObject", at: objectNode), "describedObject.name"))
                return MetricSpecification(source: .object(name), target: target, selector: selector, selectorExpressions: expressions,
                                           describedObject: described)
            }
        }
    }

    static func target(_ node: Node, reader: NodeReader, allowed: Set<String>) throws -> MetricSpecification.Target {
        let map = try reader.mapping(node, "target", allowed: ["type", "averageUtilization", "averageValue", "value"])
        let typeNode = try reader.require(map, "type", in: "target", at: node)
        guard let type = typeNode.string, allowed.contains(type) else {
            throw reader.fail(typeNode, "target type must be \(allowed.sorted().joined(separator: " or ")) here")
        }
        let field = ["Utilization": "averageUtilization", "AverageValue": "averageValue", "Value": "value"][type]!
        for other in ["averageUtilization", "averageValue", "value"] where other != field && map[other] != nil {
            throw reader.fail(map[other], "a \(type) target takes \(field), not \(other)")
        }
        let valueNode = try reader.require(map, field, in: "a \(type) target", at: node)
        if type == "Utilization" {
            return .utilization(try reader.int(valueNode, "averageUtilization", minimum: 1))
        }
        let value = try reader.quantity(valueNode, field)
        guard value > 0 else { throw reader.fail(valueNode, "\(field) must be positive") }
        return type == "Value" ? .value(value) : .averageValue(value)
    }

    /// A metav1.LabelSelector: `matchLabels` and `matchExpressions` (In, NotIn, Exists, DoesNotExist)
    /// with the API server's checks.
    static func selector(_ node: Node, reader: NodeReader) throws -> ([String: String], [MetricSpecification.LabelRequirement]) {
        let map = try reader.mapping(node, "selector", allowed: ["matchLabels", "matchExpressions"])
        var out: [String: String] = [:]
        if let labels = map["matchLabels"] {
            for (key, value) in try reader.mapping(labels, "matchLabels", allowed: Set(labels.mapping?.keys.compactMap(\.string) ?? [])) {
                out[key] = try reader.string(value, "matchLabels.\(key)")
            }
        }
        let expressions: [MetricSpecification.LabelRequirement] = try map["matchExpressions"].map { list in
            try reader.sequence(list, "matchExpressions").map { item -> MetricSpecification.LabelRequirement in
                let fields = try reader.mapping(item, "a matchExpressions entry", allowed: ["key", "operator", "values"])
                let key = try reader.string(try reader.require(fields, "key", in: "a matchExpressions entry", at: item), "key")
                let opNode = try reader.require(fields, "operator", in: "a matchExpressions entry", at: item)
                guard let op = opNode.string.flatMap(MetricSpecification.LabelRequirement.Operator.init(rawValue:)) else {
                    throw reader.fail(opNode, "operator must be one of In, NotIn, Exists, DoesNotExist")
                }
                let values = try fields["values"].map { try reader.sequence($0, "values").map { try reader.string($0, "values") } } ?? []
                let needsValues = op == .in || op == .notIn
                if needsValues && values.isEmpty { throw reader.fail(item, "values must be non-empty when operator is \(op.rawValue)") }
                if !needsValues && !values.isEmpty { throw reader.fail(item, "values must be empty when operator is \(op.rawValue)") }
                return MetricSpecification.LabelRequirement(key: key, op: op, values: values)
            }
        } ?? []
        return (out, expressions)
    }
}

/// `behavior:` exactly as `autoscaling/v2` writes it, with the API server's checks.
enum BehaviorReader {
    static func behavior(_ node: Node, reader: NodeReader) throws -> ScalingBehavior {
        let map = try reader.mapping(node, "behavior", allowed: ["scaleUp", "scaleDown"])
        return ScalingBehavior(scaleUp: try map["scaleUp"].map { try rules($0, "scaleUp", reader: reader) },
                               scaleDown: try map["scaleDown"].map { try rules($0, "scaleDown", reader: reader) })
    }

    static func rules(_ node: Node, _ what: String, reader: NodeReader) throws -> ScalingBehavior.Rules {
        let map = try reader.mapping(node, what, allowed: ["stabilizationWindowSeconds", "selectPolicy", "policies", "tolerance"])
        var rules = ScalingBehavior.Rules()
        if let tolerance = map["tolerance"] {
            // A quantity, as the API writes it: 0.05, "50m".
            guard let milli = tolerance.scalar.flatMap({ Quantity.milliValue($0.string) }) else {
                throw reader.fail(tolerance, "\(what).tolerance must be a quantity such as 0.05 or 50m")
            }
            guard milli >= 0 else { throw reader.fail(tolerance, "\(what).tolerance must be greater than or equal to 0") }
            rules.tolerance = Double(milli) / 1000
        }
        if let window = map["stabilizationWindowSeconds"] {
            rules.stabilizationWindowSeconds = try reader.int(window, "\(what).stabilizationWindowSeconds", minimum: 0)
            if rules.stabilizationWindowSeconds! > 3600 { throw reader.fail(window, "\(what).stabilizationWindowSeconds must be at most 3600") }
        }
        if let select = map["selectPolicy"] {
            guard let value = select.string.flatMap(ScalingBehavior.SelectPolicy.init(rawValue:)) else {
                throw reader.fail(select, "\(what).selectPolicy must be Max, Min or Disabled")
            }
            rules.selectPolicy = value
        }
        if let list = map["policies"] {
            let items = try reader.sequence(list, "\(what).policies")
            if items.isEmpty { throw reader.fail(list, "\(what).policies must have at least one policy") }
            rules.policies = try items.map { item in
                let fields = try reader.mapping(item, "a \(what) policy", allowed: ["type", "value", "periodSeconds"])
                let typeNode = try reader.require(fields, "type", in: "a \(what) policy", at: item)
                guard let type = typeNode.string.flatMap(ScalingBehavior.Policy.Kind.init(rawValue:)) else {
                    throw reader.fail(typeNode, "policy type must be Pods or Percent")
                }
                let value = try reader.int(try reader.require(fields, "value", in: "a \(what) policy", at: item), "value", minimum: 1)
                let periodNode = try reader.require(fields, "periodSeconds", in: "a \(what) policy", at: item)
                let period = try reader.int(periodNode, "periodSeconds", minimum: 1)
                if period > 1800 { throw reader.fail(periodNode, "periodSeconds must be at most 1800") }
                return ScalingBehavior.Policy(type: type, value: value, periodSeconds: period)
            }
        }
        return rules
    }
}
