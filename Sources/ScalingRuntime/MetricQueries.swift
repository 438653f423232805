import Foundation
import PromQL
import Scaling
import TimeSeriesCore

/// The PromQL that reads a policy metric from Surge's own storage, under the names the collectors
/// write (cAdvisor's container metrics) and prometheus-adapter's conventions for custom metrics:
/// per-pod series carry `namespace` and `pod`; an object metric carries a label named after the
/// object's kind (lower case) with the object's name.
public enum MetricQueries {
    /// Per-pod queries return one series per `pod`; total queries one value (summed).
    public enum Shape: Sendable, Equatable { case perPod, total }

    public static func query(for spec: MetricSpecification, policy: ScalingPolicy, window: String = "1m") -> (String, Shape) {
        let namespace = escape(policy.target.namespace)
        let pods = "namespace=\"\(namespace)\", pod=~\"\(escapeRegex(policy.target.name))-.*\""
        let matchers = Self.matchers(spec)
        let selector = matchers.map { ", " + $0 }.joined()
        switch spec.source {
        case .resource(let resource), .containerResource(let resource, _):
            var containers = "container!=\"\", container!=\"POD\""
            if case .containerResource(_, let container) = spec.source { containers = "container=\"\(escape(container))\"" }
            let query = resource == "cpu"
                ? "sum by (pod) (rate(container_cpu_usage_seconds_total{\(pods), \(containers)}[\(window)]))"
                : "sum by (pod) (container_memory_working_set_bytes{\(pods), \(containers)})"
            return (query, .perPod)
        case .pods(let name):
            return ("sum by (pod) (\(name){\(pods)\(selector)})", .perPod)
        case .object(let name):
            let object = spec.describedObject.map { ", \($0.kind.lowercased())=\"\(escape($0.name))\"" } ?? ""
            return ("sum(\(name){namespace=\"\(namespace)\"\(object)\(selector)})", .total)
        case .external(let name):
            return ("sum(\(name){\(matchers.joined(separator: ", "))})", .total)
        case .promql(let query):
            return ("sum(\(query))", .total)
        }
    }

    /// The metric's label selector as PromQL matchers: `matchLabels` as equality, `In`/`NotIn` as an
    /// (anchored) alternation of the escaped values, `Exists`/`DoesNotExist` as non-empty/empty.
    static func matchers(_ spec: MetricSpecification) -> [String] {
        spec.selector.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(escape($0.value))\"" }
            + spec.selectorExpressions.map { requirement in
                let alternatives = requirement.values.map(regexLiteral).joined(separator: "|")
                switch requirement.op {
                case .in: return "\(requirement.key)=~\"\(escape(alternatives))\""
                case .notIn: return "\(requirement.key)!~\"\(escape(alternatives))\""
                case .exists: return "\(requirement.key)!=\"\""
                case .doesNotExist: return "\(requirement.key)=\"\""
                }
            }
    }

    /// A value matched literally inside a regular expression.
    static func regexLiteral(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\.+*?()|[]{}^$".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    /// The label matchers of every selector the policy's metric queries and trigger conditions read:
    /// what an append watch needs to see a new sample of them arrive.
    public static func selectorMatchers(_ policy: ScalingPolicy) -> [[LabelMatcher]] {
        let queries = policy.metrics.map { query(for: $0, policy: policy).0 } + policy.triggers.map(\.when)
        return queries.flatMap { (try? Parser.parse($0))?.selectors.map(\.matchers) ?? [] }
    }

    /// Requests per pod from kube-state-metrics, when it is scraped.
    public static func requests(resource: String, policy: ScalingPolicy) -> String {
        "sum by (pod) (kube_pod_container_resource_requests{namespace=\"\(escape(policy.target.namespace))\", "
            + "pod=~\"\(escapeRegex(policy.target.name))-.*\", resource=\"\(escape(resource))\"})"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    static func escapeRegex(_ text: String) -> String {
        escape(regexLiteral(text))
    }
}
