import Collectors
import Scaling
import ScalingRuntime

/// Surge's scaling policies as the HorizontalPodAutoscaler series kube-state-metrics gives an HPA
/// (`horizontalpodautoscaler` is the policy's name), so HPA dashboards and alerts see them.
enum KubeStateAutoscalers {
    static func samples(_ snapshots: [ScalingDecisions.Snapshot]) -> [CollectedSample] {
        var out: [CollectedSample] = []
        for snapshot in snapshots {
            let policy = snapshot.policy
            let base = [("namespace", policy.target.namespace), ("horizontalpodautoscaler", policy.name)]
            out.append(CollectedSample("kube_horizontalpodautoscaler_info", base + [
                ("scaletargetref_api_version", policy.target.apiVersion), ("scaletargetref_kind", policy.target.kind),
                ("scaletargetref_name", policy.target.name),
            ], 1))
            out.append(CollectedSample("kube_horizontalpodautoscaler_spec_min_replicas", base, Double(policy.minReplicas)))
            out.append(CollectedSample("kube_horizontalpodautoscaler_spec_max_replicas", base, Double(policy.maxReplicas)))
            if let current = snapshot.currentReplicas {
                out.append(CollectedSample("kube_horizontalpodautoscaler_status_current_replicas", base, Double(current)))
            }
            if let desired = snapshot.desiredReplicas {
                out.append(CollectedSample("kube_horizontalpodautoscaler_status_desired_replicas", base, Double(desired)))
            }
            for metric in policy.metrics {
                let name: String
                switch metric.source {
                case .resource(let resource), .containerResource(let resource, _): name = resource
                case .pods(let metric), .object(let metric), .external(let metric): name = metric
                case .promql: name = "promql"
                }
                let (type, value): (String, Double) = switch metric.target {
                case .utilization(let percent): ("utilization", Double(percent))
                case .averageValue(let milli): ("average", Double(milli) / 1000)
                case .value(let milli): ("value", Double(milli) / 1000)
                }
                out.append(CollectedSample("kube_horizontalpodautoscaler_spec_target_metric",
                                           base + [("metric_name", name), ("metric_target_type", type)], value))
            }
            // As the HPA's conditions: ScalingActive is false while the policy cannot evaluate.
            let active = snapshot.lastError == nil && snapshot.evaluations > 0
            for status in ["true", "false", "unknown"] {
                out.append(CollectedSample("kube_horizontalpodautoscaler_status_condition", base + [("condition", "ScalingActive"), ("status", status)],
                                           (snapshot.evaluations == 0 ? "unknown" : active ? "true" : "false") == status ? 1 : 0))
            }
            if let desired = snapshot.desiredReplicas {
                for status in ["true", "false", "unknown"] {
                    out.append(CollectedSample("kube_horizontalpodautoscaler_status_condition", base + [("condition", "ScalingLimited"), ("status", status)],
                                               ((desired == policy.maxReplicas || desired == policy.minReplicas) ? "true" : "false") == status ? 1 : 0))
                }
            }
        }
        return out
    }
}
