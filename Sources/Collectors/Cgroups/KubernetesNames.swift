/// Pod, namespace and container names (and, from the kubelet, images) of the groups Kubernetes
/// made: from the kubelet's log links (`/var/log/containers` holds
/// `<pod>_<namespace>_<container>-<containerID>.log`, `/var/log/pods` holds `<namespace>_<pod>_<podUID>`
/// directories) or from the kubelet's pods endpoint.
public struct KubernetesNames: Sendable, Equatable {
    public struct Container: Sendable, Equatable {
        public var pod: String
        public var namespace: String
        public var container: String
        /// Known from the kubelet only; log links do not carry it.
        public var image: String?

        public init(pod: String, namespace: String, container: String, image: String? = nil) {
            self.pod = pod
            self.namespace = namespace
            self.container = container
            self.image = image
        }
    }

    public var containers: [String: Container] = [:]
    /// Pod UID to (namespace, pod).
    public var pods: [String: (namespace: String, pod: String)] = [:]

    public init() {}

    public init(containerLogs: [String], podDirectories: [String]) {
        for file in containerLogs where file.hasSuffix(".log") {
            let stem = file.dropLast(4)
            let parts = stem.split(separator: "_", maxSplits: 2)
            guard parts.count == 3, let dash = parts[2].lastIndex(of: "-") else { continue }
            let id = String(parts[2][parts[2].index(after: dash)...])
            containers[id] = Container(pod: String(parts[0]), namespace: String(parts[1]), container: String(parts[2][..<dash]))
        }
        for directory in podDirectories {
            let parts = directory.split(separator: "_")
            guard parts.count == 3 else { continue }
            pods[String(parts[2])] = (String(parts[0]), String(parts[1]))
        }
    }

    public static func == (lhs: KubernetesNames, rhs: KubernetesNames) -> Bool {
        lhs.containers == rhs.containers && lhs.pods.mapValues { [$0.namespace, $0.pod] } == rhs.pods.mapValues { [$0.namespace, $0.pod] }
    }

    /// These names, with `other`'s where both know a container or pod.
    public func overridden(by other: KubernetesNames) -> KubernetesNames {
        var merged = self
        merged.containers.merge(other.containers) { _, new in new }
        merged.pods.merge(other.pods) { _, new in new }
        return merged
    }

    /// The cAdvisor labels of a cgroup: `id` always; `container`, `pod` and `namespace` when known;
    /// `image` and `name` (the runtime's container ID, as cAdvisor shows CRI containers) when the
    /// kubelet reported the container.
    public func labels(id: String) -> [(String, String)] {
        var labels = [("id", id)]
        guard let path = KubernetesCgroupPath(id) else { return labels }
        if let containerID = path.containerID, let names = containers[containerID] {
            labels += [("container", names.container), ("namespace", names.namespace), ("pod", names.pod)]
            if let image = names.image { labels += [("image", image), ("name", containerID)] }
        } else if path.containerID == nil, let pod = pods[path.podUID] {
            labels += [("namespace", pod.namespace), ("pod", pod.pod)]
        }
        return labels
    }
}
