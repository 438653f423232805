import Foundation
import Kubernetes
import Scaling

/// The objects the API server holds, under kube-state-metrics' names and labels: pods (info, owner,
/// phase, readiness, containers' requests, limits and restarts), Deployments, StatefulSets,
/// ReplicaSets' owners and Nodes (capacity, allocatable, conditions, info).
public struct KubeStateObjects: Sendable, Equatable {
    public var pods: [Pod] = []
    public var deployments: [Workload] = []
    public var statefulSets: [Workload] = []
    public var replicaSets: [Workload] = []
    public var nodes: [KubernetesNode] = []

    public init() {}
}

public enum KubeStateMetrics {
    static let phases = ["Pending", "Succeeded", "Failed", "Unknown", "Running"]

    public static func samples(_ objects: KubeStateObjects) -> [CollectedSample] {
        var out: [CollectedSample] = []
        for pod in objects.pods { out += samples(pod) }
        for deployment in objects.deployments {
            out += workload(deployment, kind: "deployment", spec: "kube_deployment_spec_replicas",
                            status: [("", \.replicas), ("_ready", \.readyReplicas), ("_available", \.availableReplicas),
                                     ("_unavailable", \.unavailableReplicas), ("_updated", \.updatedReplicas)])
        }
        for set in objects.statefulSets {
            out += workload(set, kind: "statefulset", spec: "kube_statefulset_replicas",
                            status: [("", \.replicas), ("_ready", \.readyReplicas), ("_available", \.availableReplicas),
                                     ("_current", \.currentReplicas), ("_updated", \.updatedReplicas)])
        }
        for set in objects.replicaSets {
            let labels = [("namespace", set.metadata.namespace ?? ""), ("replicaset", set.metadata.name ?? "")]
            out.append(CollectedSample("kube_replicaset_owner", labels + owner(set.metadata), 1))
            out.append(CollectedSample("kube_replicaset_spec_replicas", labels, Double(set.spec?.replicas ?? 1)))
            out.append(CollectedSample("kube_replicaset_status_ready_replicas", labels, Double(set.status?.readyReplicas ?? 0)))
        }
        for node in objects.nodes { out += samples(node) }
        return out
    }

    /// A workload's wanted replicas (1 when unset, as the API defaults it) and its status counts,
    /// as `kube_<kind>_status_replicas<suffix>`.
    static func workload(_ object: Workload, kind: String, spec: String,
                         status: [(String, KeyPath<Workload.Status, Int?>)]) -> [CollectedSample] {
        let labels = [("namespace", object.metadata.namespace ?? ""), (kind, object.metadata.name ?? "")]
        return [CollectedSample(spec, labels, Double(object.spec?.replicas ?? 1))] + status.map { suffix, field in
            CollectedSample("kube_\(kind)_status_replicas\(suffix)", labels, Double(object.status?[keyPath: field] ?? 0))
        }
    }

    /// `owner_kind`, `owner_name` and `owner_is_controller` of the first owner, `<none>` without one.
    static func owner(_ metadata: ObjectMeta) -> [(String, String)] {
        guard let owner = metadata.ownerReferences?.first else {
            return [("owner_kind", "<none>"), ("owner_name", "<none>"), ("owner_is_controller", "<none>")]
        }
        return [("owner_kind", owner.kind ?? ""), ("owner_name", owner.name ?? ""), ("owner_is_controller", owner.controller == true ? "true" : "false")]
    }

    static func samples(_ pod: Pod) -> [CollectedSample] {
        let base = [("namespace", pod.metadata.namespace ?? ""), ("pod", pod.metadata.name ?? ""), ("uid", pod.metadata.uid ?? "")]
        let node = pod.spec?.nodeName ?? ""
        let controller = pod.metadata.controller
        var out = [
            CollectedSample("kube_pod_info", base + [
                ("host_ip", pod.status?.hostIP ?? ""), ("pod_ip", pod.status?.podIP ?? ""), ("node", node),
                ("created_by_kind", controller?.kind ?? "<none>"), ("created_by_name", controller?.name ?? "<none>"),
                ("priority_class", pod.spec?.priorityClassName ?? ""), ("host_network", pod.spec?.hostNetwork == true ? "true" : "false"),
            ], 1),
            CollectedSample("kube_pod_owner", base + owner(pod.metadata), 1),
        ]
        let phase = pod.status?.phase ?? ""
        for candidate in phases {
            out.append(CollectedSample("kube_pod_status_phase", base + [("phase", candidate)], candidate == phase ? 1 : 0))
        }
        if let ready = pod.status?.conditions?.first(where: { $0.type == "Ready" }) {
            for condition in ["true", "false", "unknown"] {
                out.append(CollectedSample("kube_pod_status_ready", base + [("condition", condition)], ready.status.lowercased() == condition ? 1 : 0))
            }
        }
        if let created = pod.metadata.creationTimestamp.flatMap(RFC3339.date) {
            out.append(CollectedSample("kube_pod_created", base, created.timeIntervalSince1970))
        }
        for container in pod.spec?.containers ?? [] {
            let labels = base + [("container", container.name)]
            for (name, quantities) in [("kube_pod_container_resource_requests", container.resources?.requests),
                                       ("kube_pod_container_resource_limits", container.resources?.limits)] {
                for (resource, quantity) in (quantities ?? [:]).sorted(by: { $0.key < $1.key }) {
                    guard let milli = Quantity.milliValue(quantity) else { continue }
                    out.append(CollectedSample(name, labels + [("node", node)] + resourceLabels(resource), Double(milli) / 1000))
                }
            }
        }
        for status in pod.status?.containerStatuses ?? [] {
            let labels = base + [("container", status.name)]
            out.append(CollectedSample("kube_pod_container_info", labels + [("image", status.image ?? ""), ("container_id", status.containerID ?? "")], 1))
            out.append(CollectedSample("kube_pod_container_status_ready", labels, status.ready == true ? 1 : 0))
            out.append(CollectedSample("kube_pod_container_status_restarts_total", labels, Double(status.restartCount ?? 0)))
        }
        return out
    }

    static func samples(_ node: KubernetesNode) -> [CollectedSample] {
        let name = node.metadata.name ?? ""
        let base = [("node", name)]
        let info = node.status?.nodeInfo
        let internalIP = node.status?.addresses?.first { $0.type == "InternalIP" }?.address ?? ""
        var out = [
            CollectedSample("kube_node_info", base + [
                ("kernel_version", info?.kernelVersion ?? ""), ("os_image", info?.osImage ?? ""),
                ("container_runtime_version", info?.containerRuntimeVersion ?? ""), ("kubelet_version", info?.kubeletVersion ?? ""),
                ("kube_proxy_version", info?.kubeProxyVersion ?? ""), ("provider_id", node.spec?.providerID ?? ""),
                ("pod_cidr", node.spec?.podCIDR ?? ""), ("internal_ip", internalIP), ("system_uuid", info?.systemUUID ?? ""),
            ], 1),
            CollectedSample("kube_node_spec_unschedulable", base, node.spec?.unschedulable == true ? 1 : 0),
        ]
        for (metric, quantities) in [("kube_node_status_capacity", node.status?.capacity), ("kube_node_status_allocatable", node.status?.allocatable)] {
            for (resource, quantity) in (quantities ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard let milli = Quantity.milliValue(quantity) else { continue }
                out.append(CollectedSample(metric, base + resourceLabels(resource), Double(milli) / 1000))
            }
        }
        for condition in node.status?.conditions ?? [] {
            for status in ["true", "false", "unknown"] {
                out.append(CollectedSample("kube_node_status_condition", base + [("condition", condition.type), ("status", status)],
                                           condition.status.lowercased() == status ? 1 : 0))
            }
        }
        return out
    }

    /// `resource` and `unit` as kube-state-metrics gives them: CPU in cores, memory and storage in
    /// bytes, pods and extended resources as integers; names with `-`, `.` or `/` made label-safe.
    static func resourceLabels(_ resource: String) -> [(String, String)] {
        let unit: String
        switch resource {
        case "cpu": unit = "core"
        case "memory", "ephemeral-storage", "storage": unit = "byte"
        case _ where resource.hasPrefix("hugepages-"): unit = "byte"
        default: unit = "integer"
        }
        let safe = String(resource.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        return [("resource", safe), ("unit", unit)]
    }
}
