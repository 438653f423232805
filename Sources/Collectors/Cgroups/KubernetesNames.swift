/// Pod, namespace and container names from the kubelet's log links: `/var/log/containers` holds
/// `<pod>_<namespace>_<container>-<containerID>.log` and `/var/log/pods` holds
/// `<namespace>_<pod>_<podUID>` directories.
public struct KubernetesNames: Sendable, Equatable {
    public struct Container: Sendable, Equatable {
        public var pod: String
        public var namespace: String
        public var container: String
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

    /// The cAdvisor labels of a cgroup: `id` always; `container`, `pod` and `namespace` when known.
    public func labels(id: String) -> [(String, String)] {
        var labels = [("id", id)]
        guard let path = KubernetesCgroupPath(id) else { return labels }
        if let containerID = path.containerID, let names = containers[containerID] {
            labels += [("container", names.container), ("namespace", names.namespace), ("pod", names.pod)]
        } else if path.containerID == nil, let pod = pods[path.podUID] {
            labels += [("namespace", pod.namespace), ("pod", pod.pod)]
        }
        return labels
    }
}
