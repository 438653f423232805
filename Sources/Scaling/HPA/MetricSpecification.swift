import Foundation

/// One metric of a policy, as `autoscaling/v2` names them, plus `promql`.
public struct MetricSpecification: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case resource(String)
        case containerResource(String, container: String)
        case pods(String)
        case object(String)
        case external(String)
        case promql(String)
    }

    public enum Target: Sendable, Equatable {
        case utilization(Int)
        /// Milli-units per pod.
        case averageValue(Int64)
        /// Milli-units in all.
        case value(Int64)
    }

    /// An object a metric describes (`describedObject` of an Object metric).
    public struct ObjectReference: Sendable, Equatable {
        public var apiVersion: String
        public var kind: String
        public var name: String

        public init(apiVersion: String, kind: String, name: String) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.name = name
        }
    }

    /// One entry of `metric.selector.matchExpressions`.
    public struct LabelRequirement: Sendable, Equatable {
        public enum Operator: String, Sendable, Equatable, CaseIterable {
            case `in` = "In", notIn = "NotIn", exists = "Exists", doesNotExist = "DoesNotExist"
        }

        public var key: String
        public var op: Operator
        public var values: [String]

        public init(key: String, op: Operator, values: [String] = []) {
            self.key = key
            self.op = op
            self.values = values
        }
    }

    public var source: Source
    public var target: Target
    /// `metric.selector.matchLabels` of Pods, Object and External metrics.
    public var selector: [String: String]
    /// `metric.selector.matchExpressions`; all of them and all of `selector` must hold.
    public var selectorExpressions: [LabelRequirement]
    public var describedObject: ObjectReference?

    public init(source: Source, target: Target, selector: [String: String] = [:], selectorExpressions: [LabelRequirement] = [],
                describedObject: ObjectReference? = nil) {
        self.source = source
        self.target = target
        self.selector = selector
        self.selectorExpressions = selectorExpressions
        self.describedObject = describedObject
    }

    /// As `kubectl describe hpa` names the metric.
    public var name: String {
        switch source {
        case .resource(let name): "resource \(name) on pods"
        case .containerResource(let name, let container): "resource \(name) of container \"\(container)\" on pods"
        case .pods(let name): "\"\(name)\" on pods"
        case .object(let name): "\"\(name)\" on object"
        case .external(let name): "external metric \(name)"
        case .promql(let query): "promql \(query)"
        }
    }

    /// As the HPA controller names the metric in its rescale reasons ("%s above target").
    public var rescaleName: String {
        let utilization = if case .utilization = target { true } else { false }
        switch source {
        case .resource(let name): return utilization ? "\(name) resource utilization (percentage of request)" : "\(name) resource"
        case .containerResource(let name, _):
            return utilization ? "\(name) container resource utilization (percentage of request)" : "\(name) container resource"
        case .pods(let name): return "pods metric \(name)"
        case .object(let name): return "\(describedObject?.kind ?? "object") metric \(name)"
        case .external(let name): return "external metric \(name)"
        case .promql(let query): return "promql metric \(query)"
        }
    }
}
