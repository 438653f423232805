import Kubernetes

/// The targets Prometheus' pod role makes of a pod: one per declared container port (`IP:port`), or
/// one per container without ports (just the IP), init containers included, each with the
/// `__meta_kubernetes_*` labels relabeling works from. A pod without an IP yet has none.
public enum PodTargets {
    static let prefix = "__meta_kubernetes_"

    public static func groups(for pod: Pod) -> [ScrapeConfig.StaticGroup] {
        guard let ip = pod.status?.podIP, !ip.isEmpty else { return [] }
        let shared = podLabels(pod)
        let containers = (pod.spec?.containers ?? []).map { ($0, false) } + (pod.spec?.initContainers ?? []).map { ($0, true) }
        var groups: [ScrapeConfig.StaticGroup] = []
        for (container, isInit) in containers {
            var labels = shared
            labels[prefix + "pod_container_name"] = container.name
            labels[prefix + "pod_container_image"] = container.image ?? ""
            labels[prefix + "pod_container_init"] = isInit ? "true" : "false"
            let ports = container.ports ?? []
            if ports.isEmpty {
                groups.append(.init(targets: [ip], labels: labels))
                continue
            }
            for port in ports {
                var portLabels = labels
                portLabels[prefix + "pod_container_port_name"] = port.name ?? ""
                portLabels[prefix + "pod_container_port_number"] = String(port.containerPort)
                portLabels[prefix + "pod_container_port_protocol"] = port.protocol ?? ""
                groups.append(.init(targets: [joinHostPort(ip, port.containerPort)], labels: portLabels))
            }
        }
        return groups
    }

    static func podLabels(_ pod: Pod) -> [String: String] {
        var labels: [String: String] = [
            prefix + "namespace": pod.metadata.namespace ?? "",
            prefix + "pod_name": pod.metadata.name ?? "",
            prefix + "pod_ip": pod.status?.podIP ?? "",
            prefix + "pod_ready": (pod.status?.conditions?.first { $0.type == "Ready" }?.status ?? "Unknown").lowercased(),
            prefix + "pod_phase": pod.status?.phase ?? "",
            prefix + "pod_node_name": pod.spec?.nodeName ?? "",
            prefix + "pod_host_ip": pod.status?.hostIP ?? "",
            prefix + "pod_uid": pod.metadata.uid ?? "",
        ]
        if let controller = pod.metadata.controller {
            if let kind = controller.kind, !kind.isEmpty { labels[prefix + "pod_controller_kind"] = kind }
            if let name = controller.name, !name.isEmpty { labels[prefix + "pod_controller_name"] = name }
        }
        for (key, value) in pod.metadata.labels ?? [:] {
            let name = sanitizeLabelName(key)
            labels[prefix + "pod_label_" + name] = value
            labels[prefix + "pod_labelpresent_" + name] = "true"
        }
        for (key, value) in pod.metadata.annotations ?? [:] {
            let name = sanitizeLabelName(key)
            labels[prefix + "pod_annotation_" + name] = value
            labels[prefix + "pod_annotationpresent_" + name] = "true"
        }
        return labels
    }

    /// Every character outside `[a-zA-Z0-9_]` becomes `_`, as Prometheus sanitizes label names.
    static func sanitizeLabelName(_ name: String) -> String {
        String(String.UnicodeScalarView(name.unicodeScalars.map { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_") ? scalar : "_"
        }))
    }

    static func joinHostPort(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
