/// A core/v1 Pod, the fields discovery and scaling read.
public struct Pod: Codable, Sendable, Equatable, Hashable {
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public struct Spec: Codable, Sendable, Equatable, Hashable {
        public var nodeName: String?
        public var containers: [Container]?
        public var initContainers: [Container]?
        public var priorityClassName: String?
        public var hostNetwork: Bool?
        public var nodeSelector: [String: String]?
        public var tolerations: [Toleration]?
        public var affinity: Affinity?
        public var topologySpreadConstraints: [TopologySpreadConstraint]?
        public var volumes: [Volume]?

        public init(nodeName: String? = nil, containers: [Container]? = nil, initContainers: [Container]? = nil) {
            self.nodeName = nodeName
            self.containers = containers
            self.initContainers = initContainers
        }
    }

    public struct Toleration: Codable, Sendable, Equatable, Hashable {
        public var key: String?
        public var `operator`: String?
        public var value: String?
        public var effect: String?
    }

    /// The scheduling constraints packing reads: required node affinity, and whether pod (anti-)affinity is set.
    public struct Affinity: Codable, Sendable, Equatable, Hashable {
        public var nodeAffinity: NodeAffinity?
        public var podAffinity: Pod.Presence?
        public var podAntiAffinity: Pod.Presence?

        public struct NodeAffinity: Codable, Sendable, Equatable, Hashable {
            public var requiredDuringSchedulingIgnoredDuringExecution: NodeSelector?
        }
        public struct NodeSelector: Codable, Sendable, Equatable, Hashable {
            public var nodeSelectorTerms: [Term]?
        }
        public struct Term: Codable, Sendable, Equatable, Hashable {
            public var matchExpressions: [Requirement]?
        }
        public struct Requirement: Codable, Sendable, Equatable, Hashable {
            public var key: String
            public var `operator`: String
            public var values: [String]?
        }
    }

    /// Only whether a field is there.
    public struct Presence: Codable, Sendable, Equatable, Hashable {}

    /// Scale-down reads whether a pod keeps data on its node.
    public struct Volume: Codable, Sendable, Equatable, Hashable {
        public var name: String?
        public var emptyDir: Presence?
        public var hostPath: Presence?
    }

    public struct TopologySpreadConstraint: Codable, Sendable, Equatable, Hashable {
        public var topologyKey: String?
    }

    public struct Container: Codable, Sendable, Equatable, Hashable {
        public var name: String
        public var image: String?
        public var ports: [ContainerPort]?
        public var resources: Resources?

        public init(name: String, image: String? = nil, ports: [ContainerPort]? = nil, resources: Resources? = nil) {
            self.name = name
            self.image = image
            self.ports = ports
            self.resources = resources
        }
    }

    public struct ContainerPort: Codable, Sendable, Equatable, Hashable {
        public var name: String?
        public var containerPort: Int
        /// The API server fills in "TCP" when a manifest leaves it out.
        public var `protocol`: String?

        public init(name: String? = nil, containerPort: Int, protocol: String? = "TCP") {
            self.name = name
            self.containerPort = containerPort
            self.protocol = `protocol`
        }
    }

    /// Requests and limits as Kubernetes quantities ("500m", "2Gi").
    public struct Resources: Codable, Sendable, Equatable, Hashable {
        public var requests: [String: String]?
        public var limits: [String: String]?

        public init(requests: [String: String]? = nil, limits: [String: String]? = nil) {
            self.requests = requests
            self.limits = limits
        }
    }

    public struct Status: Codable, Sendable, Equatable, Hashable {
        public var phase: String?
        public var podIP: String?
        public var hostIP: String?
        public var startTime: String?
        public var conditions: [Condition]?
        public var containerStatuses: [ContainerStatus]?

        public init(phase: String? = nil, podIP: String? = nil, hostIP: String? = nil, conditions: [Condition]? = nil) {
            self.phase = phase
            self.podIP = podIP
            self.hostIP = hostIP
            self.conditions = conditions
        }
    }

    public struct Condition: Codable, Sendable, Equatable, Hashable {
        public var type: String
        public var status: String
        public var lastTransitionTime: String?
        /// "Unschedulable" on PodScheduled=False: no node has room.
        public var reason: String?

        public init(type: String, status: String, lastTransitionTime: String? = nil) {
            self.type = type
            self.status = status
            self.lastTransitionTime = lastTransitionTime
        }
    }

    public struct ContainerStatus: Codable, Sendable, Equatable, Hashable {
        public var name: String
        public var containerID: String?
        public var image: String?
        public var ready: Bool?
        public var restartCount: Int?
    }

    /// "namespace/name", the key a watch cache files the pod under.
    public var key: String { "\(metadata.namespace ?? "")/\(metadata.name ?? "")" }
}

public struct PodList: Codable, Sendable {
    public var metadata: ListMeta?
    public var items: [Pod]
}
