/// Who may call the fake API server: a bearer token, the user name the API reports for it (for a
/// service account "system:serviceaccount:NS:NAME") and RBAC rules as a Role or ClusterRole lists them.
public struct FakeKubernetesAccount: Sendable {
    public var token: String
    public var user: String
    public var rules: [FakeKubernetesRule]

    public init(token: String, user: String, rules: [FakeKubernetesRule]) {
        self.token = token
        self.user = user
        self.rules = rules
    }
}

/// One RBAC policy rule. `namespaces` nil means bound cluster-wide (a ClusterRoleBinding); otherwise
/// the rule holds only in the listed namespaces (RoleBindings). Resources name subresources as
/// "deployments/scale". "*" matches anything. `resourceNames` limits the rule to requests naming one
/// of those objects, as in Kubernetes (a list or a create names none, so such a rule never covers one).
public struct FakeKubernetesRule: Sendable {
    public var verbs: [String]
    public var apiGroups: [String]
    public var resources: [String]
    public var namespaces: [String]?
    public var resourceNames: [String]?

    public init(verbs: [String], apiGroups: [String] = [""], resources: [String], namespaces: [String]? = nil, resourceNames: [String]? = nil) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.namespaces = namespaces
        self.resourceNames = resourceNames
    }

    func allows(verb: String, group: String, resource: String, namespace: String?, name: String? = nil) -> Bool {
        func matches(_ list: [String], _ value: String) -> Bool { list.contains("*") || list.contains(value) }
        guard matches(verbs, verb), matches(apiGroups, group), matches(resources, resource) else { return false }
        if let resourceNames {
            guard let name, resourceNames.contains(name) else { return false }
        }
        guard let namespaces else { return true }
        // A namespaced grant never covers a request across all namespaces.
        guard let namespace else { return false }
        return namespaces.contains(namespace)
    }
}
