import Scaling

/// A node group as the configuration declares it: where its size is set, its bounds, what its
/// nodes look like to the scheduler and how long one takes to become ready.
public struct NodeGroup: Sendable, Equatable {
    public enum Provider: Sendable, Equatable {
        /// A MachineDeployment, MachineSet or MachinePool through its scale subresource.
        case clusterAPI(ClusterAPIGroup)
        /// An OpenStack Magnum cluster's node group, resized through Magnum's API.
        case magnum(MagnumGroup)
        /// Any other system: a signed JSON request to a URL.
        case webhook(WebhookGroup)
    }

    public var name: String
    public var provider: Provider
    /// Nil: from the provider (Cluster API's autoscaler annotations, Magnum's node group), else 0 / unbounded.
    public var minSize: Int?
    public var maxSize: Int?
    public var template: NodeTemplate
    /// A node that stands for the template: its allocatable, labels (but its host name) and taints
    /// are read at every scan, replacing `template`.
    public var templateNode: String?
    public var bootSeconds: Double
    /// Scaling policies whose workloads run here: the pods their schedules and forecasts will want
    /// within a boot time get nodes before they exist.
    public var policies: [String] = []

    public init(name: String, provider: Provider, minSize: Int? = nil, maxSize: Int? = nil, template: NodeTemplate, bootSeconds: Double = 180) {
        self.name = name
        self.provider = provider
        self.minSize = minSize
        self.maxSize = maxSize
        self.template = template
        self.bootSeconds = bootSeconds
    }
}

/// A group's size as its provider holds it, and the bounds it declares (nil when it declares none).
public struct NodeGroupSize: Sendable, Equatable {
    public var target: Int
    public var minSize: Int?
    public var maxSize: Int?

    public init(target: Int, minSize: Int? = nil, maxSize: Int? = nil) {
        self.target = target
        self.minSize = minSize
        self.maxSize = maxSize
    }
}

/// What a provider answered a resize, for the audit trail: accepted; refused (a 4xx: retrying the
/// same request would not help); or unavailable (a 5xx, a timeout: held and tried again later).
public enum NodeProviderAnswer: Sendable, Equatable {
    case accepted(String)
    case refused(String)
    case unavailable(String)
}

/// Where node groups are sized: Cluster API, OpenStack Magnum, or a webhook for everything else.
public protocol NodeProvider: Sendable {
    func size(of group: NodeGroup) async throws -> NodeGroupSize
    /// Sets the group to `desired` nodes; `removing` names the nodes to take out when it shrinks
    /// (they have been drained), so the provider removes those and not others.
    func resize(_ group: NodeGroup, from current: Int, to desired: Int, removing: [String]) async -> NodeProviderAnswer
}

public struct NodeProviderError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
