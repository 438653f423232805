import Foundation
import Kubernetes
import Scaling

/// Pods the scheduler could not place, as node packing reads them.
public enum PendingPods {
    /// Pending with `PodScheduled=False`, reason `Unschedulable`, since at least `threshold` seconds.
    public static func unschedulable(_ pod: Pod, now: Date, threshold: Double) -> Bool {
        guard pod.status?.phase == "Pending", pod.metadata.deletionTimestamp == nil, pod.spec?.nodeName == nil,
              let scheduled = pod.status?.conditions?.first(where: { $0.type == "PodScheduled" }),
              scheduled.status == "False", scheduled.reason == "Unschedulable" else { return false }
        let since = scheduled.lastTransitionTime.flatMap(RFC3339.date) ?? now
        return now.timeIntervalSince(since) >= threshold
    }

    public static func pending(_ pod: Pod) -> PendingPod {
        var cpu: Int64 = 0, memory: Int64 = 0
        for container in pod.spec?.containers ?? [] {
            cpu += container.resources?.requests?["cpu"].flatMap(Quantity.milliValue) ?? 0
            memory += (container.resources?.requests?["memory"].flatMap(Quantity.milliValue) ?? 0) / 1000
        }
        // An init container runs alone before the others: the pod needs the larger of the two.
        for container in pod.spec?.initContainers ?? [] {
            cpu = max(cpu, container.resources?.requests?["cpu"].flatMap(Quantity.milliValue) ?? 0)
            memory = max(memory, (container.resources?.requests?["memory"].flatMap(Quantity.milliValue) ?? 0) / 1000)
        }
        let spec = pod.spec
        let tolerations = (spec?.tolerations ?? []).map { toleration in
            Toleration(key: toleration.key ?? "", op: toleration.operator == "Exists" ? .exists : .equal, value: toleration.value ?? "",
                       effect: toleration.effect.flatMap(Taint.Effect.init(rawValue:)))
        }
        let terms = (spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []).map { term in
            (term.matchExpressions ?? []).compactMap { requirement in
                NodeRequirement.Operator(rawValue: requirement.operator).map { NodeRequirement(key: requirement.key, op: $0, values: requirement.values ?? []) }
            }
        }
        var notSimulated: [String] = []
        if spec?.affinity?.podAffinity != nil { notSimulated.append("pod affinity") }
        if spec?.affinity?.podAntiAffinity != nil { notSimulated.append("pod anti-affinity") }
        if !(spec?.topologySpreadConstraints ?? []).isEmpty { notSimulated.append("topology spread constraints") }
        return PendingPod(name: pod.key, requests: ResourceAmounts(cpuMilli: cpu, memoryBytes: memory, pods: 1),
                          nodeSelector: spec?.nodeSelector ?? [:], tolerations: tolerations, affinityTerms: terms, notSimulated: notSimulated)
    }
}
