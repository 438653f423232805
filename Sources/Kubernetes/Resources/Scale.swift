/// autoscaling/v1 Scale, the subresource through which any scalable workload's replica count is read
/// and set (`/apis/apps/v1/namespaces/NS/deployments/NAME/scale`).
public struct Scale: Codable, Sendable, Equatable {
    public var kind: String? = "Scale"
    public var apiVersion: String? = "autoscaling/v1"
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta, replicas: Int) {
        self.metadata = metadata
        self.spec = Spec(replicas: replicas)
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var replicas: Int?

        public init(replicas: Int?) { self.replicas = replicas }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var replicas: Int
        /// The label selector of the workload's pods, in the string form ("app=web,tier=front").
        public var selector: String?
    }
}

/// A workload addressed through its scale subresource: group "apps" and resource "deployments" for
/// `apiVersion: apps/v1, kind: Deployment`.
public struct ScaleTarget: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var resource: String
    public var namespace: String
    public var name: String

    public init(group: String = "apps", version: String = "v1", resource: String, namespace: String, name: String) {
        self.group = group
        self.version = version
        self.resource = resource
        self.namespace = namespace
        self.name = name
    }

    /// From a policy's `apiVersion` and `kind`, for the kinds Kubernetes ships with a scale subresource.
    public init?(apiVersion: String, kind: String, namespace: String, name: String) {
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        let resources = ["Deployment": "deployments", "StatefulSet": "statefulsets", "ReplicaSet": "replicasets",
                         "ReplicationController": "replicationcontrollers"]
        guard let resource = resources[kind] else { return nil }
        self.init(group: parts[0], version: parts[1], resource: resource, namespace: namespace, name: name)
    }

    public var scalePath: String {
        (group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)") + "/namespaces/\(namespace)/\(resource)/\(name)/scale"
    }

    public var description: String { "\(resource).\(group) \(namespace)/\(name)" }
}
