import HTTPTypes

/// A request path taken apart as the API server does: group, version, namespace, resource, name and
/// subresource; and the RBAC verb the method and `watch` parameter make of it.
struct FakeRoute: Sendable {
    let resource: FakeResource
    let namespace: String?
    let name: String?
    let subresource: String?

    init(path: String, resources: [FakeResource]) throws(FakeKubernetesFailure) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let group: String
        let version: String
        if parts.count >= 2, parts[0] == "api" {
            (group, version) = ("", parts[1])
            parts.removeFirst(2)
        } else if parts.count >= 3, parts[0] == "apis" {
            (group, version) = (parts[1], parts[2])
            parts.removeFirst(3)
        } else {
            throw .pathNotFound
        }
        var namespace: String?
        if parts.first == "namespaces", parts.count >= 3 {
            namespace = parts[1]
            parts.removeFirst(2)
        }
        guard let plural = parts.first,
              let resource = resources.first(where: { $0.group == group && $0.version == version && $0.plural == plural }) else {
            throw .pathNotFound
        }
        // A namespaced resource's name needs a namespace in the path; a cluster-scoped one has none.
        let name = parts.count > 1 ? parts[1] : nil
        guard name == nil || (namespace != nil) != resource.clusterScoped, parts.count <= 3 else { throw .pathNotFound }
        if resource.clusterScoped && namespace != nil { throw .pathNotFound }
        let subresource = parts.count == 3 ? parts[2] : nil
        if let subresource, !(subresource == "scale" && resource.scalable) && !(subresource == "eviction" && resource == .pods) { throw .pathNotFound }
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.subresource = subresource
    }

    /// The RBAC resource, with the subresource: "deployments/scale".
    var rbacResource: String { resource.plural + (subresource.map { "/" + $0 } ?? "") }

    func verb(_ method: HTTPRequest.Method, watch: Bool) throws(FakeKubernetesFailure) -> String {
        let verb: String
        switch (method, name) {
        case (.get, nil): verb = watch ? "watch" : "list"
        case (.get, _): verb = "get"
        case (.put, _?): verb = "update"
        case (.patch, _?): verb = "patch"
        case (.post, nil): verb = "create"
        case (.post, _?) where subresource == "eviction": verb = "create"
        case (.delete, _?): verb = "delete"
        default: throw .methodNotAllowed
        }
        let supported = subresource == "eviction" ? ["create"] : subresource != nil ? ["get", "update", "patch"] : resource.verbs
        guard supported.contains(verb) else { throw .methodNotAllowed }
        return verb
    }

    func forbidden(user: String, verb: String) -> FakeKubernetesFailure {
        let subject = resource.qualifiedName + (name.map { " \"\($0)\"" } ?? "")
        let scope = namespace.map { "in the namespace \"\($0)\"" } ?? "at the cluster scope"
        var details: JSONValue = ["kind": .string(resource.plural)]
        if let name { details["name"] = .string(name) }
        if !resource.group.isEmpty { details["group"] = .string(resource.group) }
        return FakeKubernetesFailure(
            code: 403, reason: "Forbidden",
            message: "\(subject) is forbidden: User \"\(user)\" cannot \(verb) resource \"\(rbacResource)\" in API group \"\(resource.group)\" \(scope)",
            details: details)
    }
}
