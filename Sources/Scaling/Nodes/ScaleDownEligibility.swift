import Foundation

/// A pod on a node, as scale-down judges whether it can move.
public struct NodePod: Sendable, Equatable {
    public var name: String
    public var namespace: String
    /// The controller's kind ("ReplicaSet", "StatefulSet", "DaemonSet", "Job"), nil for none.
    public var controllerKind: String?
    /// A mirror (static) pod the kubelet runs from a file.
    public var isMirror: Bool
    /// emptyDir or hostPath volumes: data lost when the pod moves.
    public var hasLocalStorage: Bool
    /// `cluster-autoscaler.kubernetes.io/safe-to-evict`: true, false, or not set.
    public var safeToEvict: Bool?
    /// Evictions the PodDisruptionBudgets covering the pod allow now; nil when none covers it.
    public var disruptionsAllowed: Int?
    public var requests: ResourceAmounts

    public init(name: String, namespace: String = "default", controllerKind: String? = "ReplicaSet", isMirror: Bool = false,
                hasLocalStorage: Bool = false, safeToEvict: Bool? = nil, disruptionsAllowed: Int? = nil, requests: ResourceAmounts = .zero) {
        self.name = name
        self.namespace = namespace
        self.controllerKind = controllerKind
        self.isMirror = isMirror
        self.hasLocalStorage = hasLocalStorage
        self.safeToEvict = safeToEvict
        self.disruptionsAllowed = disruptionsAllowed
        self.requests = requests
    }
}

public struct NodeState: Sendable, Equatable {
    public var name: String
    public var allocatable: ResourceAmounts
    public var pods: [NodePod]
    /// `cluster-autoscaler.kubernetes.io/scale-down-disabled: "true"`.
    public var scaleDownDisabled: Bool
    /// Since when the node has been under the utilization threshold; nil when it is not.
    public var underutilizedSince: Date?

    public init(name: String, allocatable: ResourceAmounts, pods: [NodePod], scaleDownDisabled: Bool = false, underutilizedSince: Date? = nil) {
        self.name = name
        self.allocatable = allocatable
        self.pods = pods
        self.scaleDownDisabled = scaleDownDisabled
        self.underutilizedSince = underutilizedSince
    }

    /// Requested over allocatable, the larger of CPU and memory, as Cluster Autoscaler measures it
    /// (DaemonSet and mirror pods included).
    public var utilization: Double {
        let cpu = pods.reduce(Int64(0)) { $0 + $1.requests.cpuMilli }, memory = pods.reduce(Int64(0)) { $0 + $1.requests.memoryBytes }
        return max(allocatable.cpuMilli > 0 ? Double(cpu) / Double(allocatable.cpuMilli) : 0,
                   allocatable.memoryBytes > 0 ? Double(memory) / Double(allocatable.memoryBytes) : 0)
    }
}

public struct ScaleDownSettings: Sendable, Equatable, Codable {
    public var utilizationThreshold = 0.5
    public var unneededSeconds: Double = 600
    public var delayAfterAddSeconds: Double = 600

    public init() {}
}

/// Whether a node may be removed now, Cluster Autoscaler's rules: under the utilization threshold
/// for the unneeded time, not within the delay after a scale-up, the group above its minimum, and
/// every pod able to move (a controller that recreates it, no local storage, not marked
/// safe-to-evict "false", no PodDisruptionBudget that allows no eviction, kube-system pods only
/// under a budget); `safe-to-evict: "true"` lets a pod go regardless. DaemonSet and mirror pods stay
/// with the node and do not hold it.
public enum ScaleDownEligibility {
    public enum Verdict: Sendable, Equatable {
        case removable
        case keep(String)
    }

    public static func verdict(_ node: NodeState, now: Date, lastScaleUp: Date?, groupSize: Int, groupMinimum: Int,
                               settings: ScaleDownSettings = ScaleDownSettings()) -> Verdict {
        if node.scaleDownDisabled { return .keep("the node is annotated scale-down-disabled") }
        if groupSize <= groupMinimum { return .keep("the group is at its minimum size (\(groupMinimum))") }
        if let lastScaleUp, now.timeIntervalSince(lastScaleUp) < settings.delayAfterAddSeconds {
            return .keep("the group scaled up less than \(Int(settings.delayAfterAddSeconds / 60)) minutes ago")
        }
        let utilization = node.utilization
        if utilization >= settings.utilizationThreshold {
            return .keep(String(format: "its requests use %.0f%% of it, not under %.0f%%", utilization * 100, settings.utilizationThreshold * 100))
        }
        guard let since = node.underutilizedSince, now.timeIntervalSince(since) >= settings.unneededSeconds else {
            return .keep("it has been under the threshold for less than \(Int(settings.unneededSeconds / 60)) minutes")
        }
        for pod in node.pods {
            if pod.controllerKind == "DaemonSet" || pod.isMirror { continue }
            if pod.safeToEvict == true { continue }
            if pod.safeToEvict == false { return .keep("pod \(pod.namespace)/\(pod.name) is annotated safe-to-evict: \"false\"") }
            if pod.controllerKind == nil { return .keep("pod \(pod.namespace)/\(pod.name) has no controller to recreate it") }
            if pod.hasLocalStorage { return .keep("pod \(pod.namespace)/\(pod.name) has local storage") }
            if let allowed = pod.disruptionsAllowed, allowed <= 0 {
                return .keep("evicting pod \(pod.namespace)/\(pod.name) would violate its PodDisruptionBudget")
            }
            if pod.namespace == "kube-system" && pod.disruptionsAllowed == nil {
                return .keep("pod kube-system/\(pod.name) has no PodDisruptionBudget")
            }
        }
        return .removable
    }
}
