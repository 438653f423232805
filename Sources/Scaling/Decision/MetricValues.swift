import Foundation
import YAMLFiles
import Yams

/// The `metrics` section of a snapshot, matched to a policy's metric specs the way the HPA's
/// metrics client matches them: resource usage summed over a pod's containers (or one container),
/// per-pod custom metrics by name, object metrics by name and described object, external metrics
/// by name summed over their series, and PromQL values by query text.
enum MetricValues {
    struct PodSample {
        var pod: String
        var name: String
        var container: String?
        var value: Int64
        var timestamp: Date
        var window: Double
    }

    struct Value {
        var name: String
        var kind: String?
        var object: String?
        var value: Int64
    }

    static func observations(_ node: Node, policy: ScalingPolicy, reader: NodeReader) throws -> [MetricObservation] {
        let map = try reader.mapping(node, "metrics", allowed: ["resources", "pods", "objects", "external", "promql"])
        let resources = try podSamples(map["resources"], "resources", reader, container: true)
        let pods = try podSamples(map["pods"], "pods", reader, container: false)
        let objects = try values(map["objects"], "objects", reader, key: "name")
        let external = try values(map["external"], "external", reader, key: "name")
        let promql = try values(map["promql"], "promql", reader, key: "query")
        return policy.metrics.map { spec in
            func missing() -> MetricObservation {
                .unavailable("unable to get metric \(spec.name): no values for it in the snapshot")
            }
            switch spec.source {
            case .resource(let name), .containerResource(let name, _):
                var container: String?
                if case .containerResource(_, let wanted) = spec.source { container = wanted }
                var perPod: [String: PodMetric] = [:]
                for sample in resources where sample.name == name && (container == nil || sample.container == container) {
                    if var existing = perPod[sample.pod] {
                        existing.value += sample.value
                        perPod[sample.pod] = existing
                    } else {
                        perPod[sample.pod] = PodMetric(value: sample.value, timestamp: sample.timestamp, windowSeconds: sample.window)
                    }
                }
                return perPod.isEmpty ? missing() : .perPod(perPod)
            case .pods(let name):
                var perPod: [String: PodMetric] = [:]
                for sample in pods where sample.name == name {
                    perPod[sample.pod] = PodMetric(value: sample.value, timestamp: sample.timestamp, windowSeconds: sample.window)
                }
                return perPod.isEmpty ? missing() : .perPod(perPod)
            case .object(let name):
                let matching = objects.filter { value in
                    value.name == name && (spec.describedObject.map { described in
                        (value.kind == nil || value.kind == described.kind) && (value.object == nil || value.object == described.name)
                    } ?? true)
                }
                return matching.first.map { .total($0.value) } ?? missing()
            case .external(let name):
                let matching = external.filter { $0.name == name }
                return matching.isEmpty ? missing() : .total(matching.reduce(0) { $0 + $1.value })
            case .promql(let query):
                return promql.first { $0.name == query }.map { .total($0.value) } ?? missing()
            }
        }
    }

    static func podSamples(_ node: Node?, _ what: String, _ reader: NodeReader, container: Bool) throws -> [PodSample] {
        guard let node else { return [] }
        return try reader.sequence(node, "metrics.\(what)").map { item in
            let allowed: Set<String> = container ? ["pod", "container", "name", "value", "timestamp", "window"] : ["pod", "name", "value", "timestamp", "window"]
            let fields = try reader.mapping(item, "a metrics.\(what) entry", allowed: allowed)
            func required(_ key: String) throws -> Node { try reader.require(fields, key, in: "a metrics.\(what) entry", at: item) }
            return PodSample(pod: try reader.string(try required("pod"), "pod"), name: try reader.string(try required("name"), "name"),
                             container: try fields["container"].map { try reader.string($0, "container") },
                             value: try reader.quantity(try required("value"), "value"),
                             timestamp: try DecisionSnapshot.time(try required("timestamp"), "timestamp", reader),
                             window: try fields["window"].map { try reader.seconds($0, "window", minimum: 1) } ?? 30)
        }
    }

    static func values(_ node: Node?, _ what: String, _ reader: NodeReader, key: String) throws -> [Value] {
        guard let node else { return [] }
        return try reader.sequence(node, "metrics.\(what)").map { item in
            let fields = try reader.mapping(item, "a metrics.\(what) entry", allowed: [key, "value", "describedObject"])
            var kind: String?
            var object: String?
            if let described = fields["describedObject"] {
                let reference = try reader.mapping(described, "describedObject", allowed: ["apiVersion", "kind", "name"])
                kind = try reference["kind"].map { try reader.string($0, "describedObject.kind") }
                object = try reference["name"].map { try reader.string($0, "describedObject.name") }
            }
            return Value(name: try reader.string(try reader.require(fields, key, in: "a metrics.\(what) entry", at: item), key), kind: kind, object: object,
                         value: try reader.quantity(try reader.require(fields, "value", in: "a metrics.\(what) entry", at: item), "value"))
        }
    }
}
