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
/// HorizontalPodAutoscalers and KEDA's ScaledObjects (served only when `kedaInstalled`).
struct FakeResource: Sendable, Equatable {
    let group: String
    let version: String
    let plural: String
    let kind: String

    static let all = [
        FakeResource(group: "", version: "v1", plural: "pods", kind: "Pod"),
        FakeResource(group: "apps", version: "v1", plural: "deployments", kind: "Deployment"),
        FakeResource(group: "apps", version: "v1", plural: "statefulsets", kind: "StatefulSet"),
        FakeResource(group: "apps", version: "v1", plural: "replicasets", kind: "ReplicaSet"),
        FakeResource(group: "", version: "v1", plural: "events", kind: "Event"),
        FakeResource(group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers", kind: "HorizontalPodAutoscaler"),
        FakeResource(group: "keda.sh", version: "v1alpha1", plural: "scaledobjects", kind: "ScaledObject"),
        FakeResource(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease"),
    ]

    static let pods = all[0]
    static let deployments = all[1]
    static let events = all[4]
    static let horizontalPodAutoscalers = all[5]
    static let scaledObjects = all[6]
    static let leases = all[7]

    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// "pods", "deployments.apps": how the API names a resource in messages.
    var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }

    func details(_ name: String) -> JSONValue {
        group.isEmpty ? ["name": .string(name), "kind": .string(plural)]
            : ["name": .string(name), "group": .string(group), "kind": .string(plural)]
    }
}
