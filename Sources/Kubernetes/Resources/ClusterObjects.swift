/// apps/v1 Deployments, StatefulSets and ReplicaSets: the replica counts their controllers report.
public struct Workload: Codable, Sendable, Equatable {
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var replicas: Int?
        public init(replicas: Int? = nil) { self.replicas = replicas }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var replicas: Int?
        public var readyReplicas: Int?
        public var availableReplicas: Int?
        public var updatedReplicas: Int?
        public var unavailableReplicas: Int?
        public var currentReplicas: Int?
        public var observedGeneration: Int?

        public init(replicas: Int? = nil, readyReplicas: Int? = nil, availableReplicas: Int? = nil) {
            self.replicas = replicas
            self.readyReplicas = readyReplicas
            self.availableReplicas = availableReplicas
        }
    }
}

public struct WorkloadList: Codable, Sendable {
    public var metadata: ListMeta?
    public var items: [Workload]
}

/// A core/v1 Node: its capacity and what it leaves to pods, its conditions and its system info.
public struct KubernetesNode: Codable, Sendable, Equatable {
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var unschedulable: Bool?
        public var taints: [Taint]?
        public var providerID: String?
        public var podCIDR: String?
    }

    public struct Status: Codable, Sendable, Equatable {
        public var capacity: [String: String]?
        public var allocatable: [String: String]?
        public var conditions: [Pod.Condition]?
        public var addresses: [Address]?
        public var nodeInfo: Info?

        public init(capacity: [String: String]? = nil, allocatable: [String: String]? = nil) {
            self.capacity = capacity
            self.allocatable = allocatable
        }
    }

    public struct Taint: Codable, Sendable, Equatable {
        public var key: String
        public var value: String?
        public var effect: String
    }

    public struct Address: Codable, Sendable, Equatable {
        public var type: String
        public var address: String
    }

    public struct Info: Codable, Sendable, Equatable {
        public var kernelVersion: String?
        public var osImage: String?
        public var containerRuntimeVersion: String?
        public var kubeletVersion: String?
        public var kubeProxyVersion: String?
        public var systemUUID: String?
    }
}

public struct KubernetesNodeList: Codable, Sendable {
    public var metadata: ListMeta?
    public var items: [KubernetesNode]
}

/// policy/v1 PodDisruptionBudgets: which pods they cover and how many may go now.
public struct PodDisruptionBudget: Codable, Sendable, Equatable {
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public struct Spec: Codable, Sendable, Equatable {
        public var selector: Selector?
        public struct Selector: Codable, Sendable, Equatable { public var matchLabels: [String: String]? }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var disruptionsAllowed: Int?
    }
}

public struct PodDisruptionBudgetList: Codable, Sendable {
    public var items: [PodDisruptionBudget]
}
