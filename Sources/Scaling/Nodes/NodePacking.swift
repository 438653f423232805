/// CPU (milli-cores), memory (bytes) and pod slots: what a node offers and a pod requests.
public struct ResourceAmounts: Sendable, Equatable, Codable {
    public var cpuMilli: Int64
    public var memoryBytes: Int64
    public var pods: Int

    public init(cpuMilli: Int64, memoryBytes: Int64, pods: Int) {
        self.cpuMilli = cpuMilli
        self.memoryBytes = memoryBytes
        self.pods = pods
    }

    public static let zero = ResourceAmounts(cpuMilli: 0, memoryBytes: 0, pods: 0)

    func fits(_ request: ResourceAmounts) -> Bool {
        request.cpuMilli <= cpuMilli && request.memoryBytes <= memoryBytes && request.pods <= pods
    }

    static func - (lhs: Self, rhs: Self) -> Self {
        Self(cpuMilli: lhs.cpuMilli - rhs.cpuMilli, memoryBytes: lhs.memoryBytes - rhs.memoryBytes, pods: lhs.pods - rhs.pods)
    }
}

public struct Taint: Sendable, Equatable, Codable {
    public enum Effect: String, Sendable, Codable { case noSchedule = "NoSchedule", preferNoSchedule = "PreferNoSchedule", noExecute = "NoExecute" }
    public var key: String
    public var value: String
    public var effect: Effect

    public init(key: String, value: String = "", effect: Effect) {
        self.key = key
        self.value = value
        self.effect = effect
    }
}

public struct Toleration: Sendable, Equatable {
    public enum Operator: String, Sendable { case equal = "Equal", exists = "Exists" }
    /// Empty with `exists`: tolerates every taint.
    public var key: String
    public var op: Operator
    public var value: String
    /// Nil tolerates every effect.
    public var effect: Taint.Effect?

    public init(key: String, op: Operator = .equal, value: String = "", effect: Taint.Effect? = nil) {
        self.key = key
        self.op = op
        self.value = value
        self.effect = effect
    }

    /// As the scheduler matches them: the key (or any key, for an empty one with Exists), the value
    /// unless Exists, the effect unless none is given.
    func tolerates(_ taint: Taint) -> Bool {
        if let effect, effect != taint.effect { return false }
        if key.isEmpty { return op == .exists }
        return key == taint.key && (op == .exists || value == taint.value)
    }
}

/// One requirement of a required node affinity term, on node labels.
public struct NodeRequirement: Sendable, Equatable {
    public enum Operator: String, Sendable { case `in` = "In", notIn = "NotIn", exists = "Exists", doesNotExist = "DoesNotExist", gt = "Gt", lt = "Lt" }
    public var key: String
    public var op: Operator
    public var values: [String]

    public init(key: String, op: Operator, values: [String] = []) {
        self.key = key
        self.op = op
        self.values = values
    }

    func matches(_ labels: [String: String]) -> Bool {
        let value = labels[key]
        switch op {
        case .in: return value.map(values.contains) ?? false
        case .notIn: return !(value.map(values.contains) ?? false)
        case .exists: return value != nil
        case .doesNotExist: return value == nil
        case .gt, .lt:
            guard let number = value.flatMap({ Int64($0) }), let bound = values.first.flatMap({ Int64($0) }) else { return false }
            return op == .gt ? number > bound : number < bound
        }
    }
}

/// What a node group's nodes look like to the scheduler.
public struct NodeTemplate: Sendable, Equatable {
    public var allocatable: ResourceAmounts
    public var labels: [String: String]
    public var taints: [Taint]

    public init(allocatable: ResourceAmounts, labels: [String: String] = [:], taints: [Taint] = []) {
        self.allocatable = allocatable
        self.labels = labels
        self.taints = taints
    }
}

extension NodeTemplate {
    /// What is left on a node of this template once `requests` are placed on it, never below zero.
    public func room(after requests: [ResourceAmounts]) -> ResourceAmounts {
        let used = requests.reduce(ResourceAmounts.zero) {
            ResourceAmounts(cpuMilli: $0.cpuMilli + $1.cpuMilli, memoryBytes: $0.memoryBytes + $1.memoryBytes, pods: $0.pods + $1.pods)
        }
        return ResourceAmounts(cpuMilli: max(allocatable.cpuMilli - used.cpuMilli, 0), memoryBytes: max(allocatable.memoryBytes - used.memoryBytes, 0),
                               pods: max(allocatable.pods - used.pods, 0))
    }
}

/// A pod waiting for room: its requests and the constraints packing checks.
public struct PendingPod: Sendable, Equatable {
    public var name: String
    public var requests: ResourceAmounts
    public var nodeSelector: [String: String]
    public var tolerations: [Toleration]
    /// Required node affinity: any term whose requirements all hold.
    public var affinityTerms: [[NodeRequirement]]
    /// Constraints the pod has that packing does not simulate (pod affinity and anti-affinity,
    /// topology spread, volumes' zones), named so the explanation can say so.
    public var notSimulated: [String]

    public init(name: String, requests: ResourceAmounts, nodeSelector: [String: String] = [:], tolerations: [Toleration] = [],
                affinityTerms: [[NodeRequirement]] = [], notSimulated: [String] = []) {
        self.name = name
        self.requests = requests
        self.nodeSelector = nodeSelector
        self.tolerations = tolerations
        self.affinityTerms = affinityTerms
        self.notSimulated = notSimulated
    }

    /// Why the template's nodes can never take the pod, or nil when they can.
    func misfit(_ template: NodeTemplate) -> String? {
        for (key, value) in nodeSelector.sorted(by: { $0.key < $1.key }) where template.labels[key] != value {
            return "its nodeSelector \(key)=\(value) does not match the group's labels"
        }
        if !affinityTerms.isEmpty && !affinityTerms.contains(where: { term in term.allSatisfy { $0.matches(template.labels) } }) {
            return "its required node affinity matches none of the group's labels"
        }
        for taint in template.taints where taint.effect != .preferNoSchedule && !tolerations.contains(where: { $0.tolerates(taint) }) {
            return "it does not tolerate the taint \(taint.key)\(taint.value.isEmpty ? "" : "=" + taint.value):\(taint.effect.rawValue)"
        }
        if !template.allocatable.fits(requests) { return "its requests exceed a whole node's allocatable" }
        return nil
    }
}

/// How many new nodes of a group the pending pods need, first-fit decreasing over CPU, memory and
/// pod slots, after the room left on nodes that are already coming (booting) or have space.
public struct PackingResult: Sendable, Equatable {
    public var newNodes: Int
    /// Pods the group can never take, or cannot take within its maximum, with why.
    public var unplaceable: [String: String]
    /// Constraints of the packed pods that were not simulated, by pod.
    public var notSimulated: [String: [String]]
}

public enum NodePacking {
    public static func pack(_ pods: [PendingPod], onto template: NodeTemplate, room: [ResourceAmounts] = [], maxNewNodes: Int) -> PackingResult {
        var result = PackingResult(newNodes: 0, unplaceable: [:], notSimulated: [:])
        // Largest first, by the biggest share of a node the pod takes in any resource.
        func share(_ pod: PendingPod) -> Double {
            let a = template.allocatable
            return max(a.cpuMilli > 0 ? Double(pod.requests.cpuMilli) / Double(a.cpuMilli) : 0,
                       a.memoryBytes > 0 ? Double(pod.requests.memoryBytes) / Double(a.memoryBytes) : 0,
                       a.pods > 0 ? Double(pod.requests.pods) / Double(a.pods) : 0)
        }
        var bins = room
        let existing = room.count
        for pod in pods.sorted(by: { (share($0), $1.name) > (share($1), $0.name) }) {
            if let reason = pod.misfit(template) {
                result.unplaceable[pod.name] = reason
                continue
            }
            if !pod.notSimulated.isEmpty { result.notSimulated[pod.name] = pod.notSimulated }
            // Room on coming nodes counts only for pods those nodes can take: they are of this template.
            if let index = bins.firstIndex(where: { $0.fits(pod.requests) }) {
                bins[index] = bins[index] - pod.requests
            } else if bins.count - existing < maxNewNodes {
                bins.append(template.allocatable - pod.requests)
            } else {
                result.unplaceable[pod.name] = "the group is at its maximum size"
            }
        }
        result.newNodes = bins.count - existing
        return result
    }
}
