/// An error answer in the API server's own shape: a `Status` object with the HTTP code, a reason and
/// the message kubectl would print.
struct FakeKubernetesFailure: Error, Sendable {
    let code: Int
    let reason: String
    let message: String
    var details: JSONValue = [:]

    static func badRequest(_ message: String) -> Self { .init(code: 400, reason: "BadRequest", message: message) }

    static let unauthorized = Self(code: 401, reason: "Unauthorized", message: "Unauthorized")

    static let pathNotFound = Self(code: 404, reason: "NotFound", message: "the server could not find the requested resource")

    static let methodNotAllowed = Self(code: 405, reason: "MethodNotAllowed",
                                       message: "the server does not allow this method on the requested resource")

    static func notFound(_ resource: FakeResource, _ name: String) -> Self {
        .init(code: 404, reason: "NotFound", message: "\(resource.qualifiedName) \"\(name)\" not found",
              details: resource.details(name))
    }

    static func conflict(_ resource: FakeResource, _ name: String) -> Self {
        .init(code: 409, reason: "Conflict",
              message: "Operation cannot be fulfilled on \(resource.qualifiedName) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
              details: resource.details(name))
    }

    static func expired(requested: Int, oldest: Int) -> Self {
        .init(code: 410, reason: "Expired", message: "too old resource version: \(requested) (\(oldest))")
    }

    static let unsupportedPatch = Self(code: 415, reason: "UnsupportedMediaType",
                                       message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")

    var status: JSONValue {
        ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": .string(message),
         "reason": .string(reason), "details": details, "code": .int(code)]
    }
}

/// A resource the fake serves: core pods and events, the apps workloads with a scale subresource,
/// HorizontalPodAutoscalers, KEDA's ScaledObjects (served only when `kedaInstalled`), Leases,
/// Namespaces and Nodes, and the custom resources a test installs.
public struct FakeResource: Sendable, Equatable {
    public let group: String
    public let version: String
    public let plural: String
    public let kind: String
    public let shortNames: [String]
    /// Whether it has a scale subresource (`.../NAME/scale`).
    public let scalable: Bool

    /// A custom resource, as a CustomResourceDefinition declares it; with `scalable`, its scale
    /// subresource reads `spec.replicas`, `status.replicas` and `status.selector`.
    public init(group: String, version: String, plural: String, kind: String, shortNames: [String] = [], scalable: Bool = false) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.shortNames = shortNames
        self.scalable = scalable
    }

    static let builtIn = [
        FakeResource(group: "", version: "v1", plural: "pods", kind: "Pod", shortNames: ["po"]),
        FakeResource(group: "apps", version: "v1", plural: "deployments", kind: "Deployment", shortNames: ["deploy"], scalable: true),
        FakeResource(group: "apps", version: "v1", plural: "statefulsets", kind: "StatefulSet", shortNames: ["sts"], scalable: true),
        FakeResource(group: "apps", version: "v1", plural: "replicasets", kind: "ReplicaSet", shortNames: ["rs"], scalable: true),
        FakeResource(group: "", version: "v1", plural: "events", kind: "Event", shortNames: ["ev"]),
        FakeResource(group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers", kind: "HorizontalPodAutoscaler", shortNames: ["hpa"]),
        FakeResource(group: "keda.sh", version: "v1alpha1", plural: "scaledobjects", kind: "ScaledObject", shortNames: ["so"]),
        FakeResource(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease"),
        FakeResource(group: "", version: "v1", plural: "namespaces", kind: "Namespace", shortNames: ["ns"]),
        FakeResource(group: "", version: "v1", plural: "nodes", kind: "Node", shortNames: ["no"]),
        FakeResource(group: "policy", version: "v1", plural: "poddisruptionbudgets", kind: "PodDisruptionBudget", shortNames: ["pdb"]),
    ]

    static let pods = builtIn[0]
    static let deployments = builtIn[1]
    static let events = builtIn[4]
    static let horizontalPodAutoscalers = builtIn[5]
    static let scaledObjects = builtIn[6]
    static let leases = builtIn[7]
    /// Cluster-scoped, read-only: the namespaces that hold objects, and the ones every cluster has.
    static let namespaces = builtIn[8]
    /// Cluster-scoped, read-only here: tests add them.
    static let nodes = builtIn[9]
    static let podDisruptionBudgets = builtIn[10]

    var clusterScoped: Bool { self == .namespaces || self == .nodes }

    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// "pods", "deployments.apps": how the API names a resource in messages.
    var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }
    var isCustom: Bool { !Self.builtIn.contains(self) }

    /// The verbs the fake serves on the resource (its scale subresource takes get, update and patch):
    /// what requests are checked against and what discovery lists.
    var verbs: [String] {
        if self == .leases { return ["create", "delete", "get", "list", "update", "watch"] }
        if isCustom { return ["create", "delete", "get", "list", "patch", "watch"] }
        if [.pods, .events, .horizontalPodAutoscalers, .scaledObjects].contains(self) { return ["create", "delete", "get", "list", "watch"] }
        if self == .nodes { return ["get", "list", "patch", "watch"] }
        return ["get", "list", "watch"]
    }

    func details(_ name: String) -> JSONValue {
        group.isEmpty ? ["name": .string(name), "kind": .string(plural)]
            : ["name": .string(name), "group": .string(group), "kind": .string(plural)]
    }
}
