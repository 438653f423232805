import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOSSL
import Synchronization

/// A strict stand-in for the Kubernetes API server, for tests: it serves pods (get, list, watch,
/// create, delete) and the apps workloads with their scale subresource (get, update, merge and JSON
/// patch) on the real paths, and answers as the real server does: bearer-token authentication (401),
/// RBAC per verb, resource and namespace (403 with the real message), 404 for unknown paths and
/// objects, 405 for unsupported methods, 409 on a stale resourceVersion, 410 for a watch from an
/// expired version, 415 for a patch of an unknown type, 422 for invalid replicas, and Status bodies.
/// Watches replay the history after their resourceVersion and then stream changes as they happen.
public final class FakeKubernetesAPIServer: Sendable {
    let state: Mutex<FakeKubernetesState>
    public let url: String

    init(url: String, accounts: [FakeKubernetesAccount]) {
        self.url = url
        var state = FakeKubernetesState()
        for account in accounts { state.accounts[account.token] = account }
        self.state = Mutex(state)
    }

    /// Runs a fake API server on 127.0.0.1 (over TLS when `tls` is given) for the duration of `body`.
    public static func with<T: Sendable>(accounts: [FakeKubernetesAccount], tls: TLSConfiguration? = nil,
                                         _ body: (FakeKubernetesAPIServer) async throws -> T) async throws -> T {
        // The port is chosen first, so the fake knows its own URL before it serves.
        let port = try freeLocalPort()
        let fake = FakeKubernetesAPIServer(url: "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)", accounts: accounts)
        return try await withLocalTestServer(label: "fake-kubernetes", port: port, tls: tls, respond: { await fake.respond(to: $0) },
                                             cleanup: { fake.closeWatches() }) { _ in try await body(fake) }
    }

    // MARK: What tests arrange and read

    /// Every request so far as "METHOD /path?query -> code".
    public var requests: [String] { state.withLock { $0.requests } }

    /// The grants of `token`'s account never used: each rule's verbs that no request needed, as
    /// "RULE-INDEX VERB". What RBAC grants beyond this is more than the code asks for.
    public func unusedGrants(token: String) -> [String] {
        state.withLock { state in
            guard let account = state.accounts[token] else { return [] }
            let used = state.grantsUsed[token] ?? []
            return account.rules.indices.flatMap { index in account.rules[index].verbs.map { "\(index) \($0)" } }.filter { !used.contains($0) }
        }
    }

    public var resourceVersion: Int { state.withLock { $0.resourceVersion } }

    public func setAccount(_ account: FakeKubernetesAccount) {
        state.withLock { $0.accounts[account.token] = account }
    }

    /// Revokes a token, as an expired one: requests carrying it get 401.
    public func removeAccount(token: String) {
        state.withLock { $0.accounts[token] = nil }
    }

    @discardableResult
    public func addPod(_ pod: JSONValue) -> JSONValue {
        let namespace = pod[path: "metadata.namespace"]?.string ?? "default"
        let name = pod[path: "metadata.name"]?.string ?? "pod"
        return state.withLock { $0.write(.pods, namespace: namespace, name: name, pod)! }
    }

    public func updatePod(namespace: String, name: String, _ change: (inout JSONValue) -> Void) {
        state.withLock { state in
            guard var pod = state.object(.pods, namespace, name) else { return }
            change(&pod)
            state.write(.pods, namespace: namespace, name: name, pod)
        }
    }

    public func deletePod(namespace: String, name: String) {
        state.withLock { state in
            if state.object(.pods, namespace, name) != nil { state.write(.pods, namespace: namespace, name: name, nil) }
        }
    }

    public func addDeployment(namespace: String, name: String, replicas: Int, matchLabels: [String: String]) {
        let deployment: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": ["replicas": .int(replicas), "selector": ["matchLabels": .object(matchLabels.mapValues { .string($0) })]],
            "status": ["replicas": .int(replicas)],
        ]
        state.withLock { _ = $0.write(.deployments, namespace: namespace, name: name, deployment) }
    }

    /// Stores any built-in or installed kind's object as given ("statefulsets", "nodes", "machines", ...);
    /// nodes are cluster-scoped and take no namespace.
    public func add(_ plural: String, namespace: String = "", _ object: JSONValue) {
        state.withLock { state in
            guard let resource = (FakeResource.builtIn + state.customResources).first(where: { $0.plural == plural }),
                  let name = object[path: "metadata.name"]?.string else { return }
            _ = state.write(resource, namespace: resource.clusterScoped ? "" : namespace, name: name, object)
        }
    }

    /// Takes the API server down (every request answered 503) or brings it back.
    public func setUnavailable(_ unavailable: Bool) {
        state.withLock { $0.unavailable = unavailable }
    }

    /// Installs (or removes) KEDA: its ScaledObjects are served only while it is installed.
    public func setKEDAInstalled(_ installed: Bool) {
        state.withLock { $0.kedaInstalled = installed }
    }

    /// Installs a CustomResourceDefinition: its resource appears in discovery and on its paths.
    public func installCustomResource(_ resource: FakeResource) {
        state.withLock { $0.customResources.append(resource) }
    }

    /// An object of an installed custom resource with `spec.replicas`, `status.replicas` and
    /// `status.selector`, as operators with a scale subresource keep them.
    public func addCustomObject(_ resource: FakeResource, namespace: String, name: String, replicas: Int, selector: String) {
        let object: JSONValue = [
            "apiVersion": .string(resource.apiVersion), "kind": .string(resource.kind),
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": ["replicas": .int(replicas)],
            "status": ["replicas": .int(replicas), "selector": .string(selector)],
        ]
        state.withLock { _ = $0.write(resource, namespace: namespace, name: name, object) }
    }

    /// A Lease held by `holder`, renewed now, as a leader elector keeps it.
    public func addLease(namespace: String, name: String, holder: String, durationSeconds: Int = 15) {
        let now = String(ISO8601DateFormatter().string(from: Date()).dropLast()) + ".000000Z"
        let lease: JSONValue = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": ["holderIdentity": .string(holder), "leaseDurationSeconds": .int(durationSeconds),
                     "acquireTime": .string(now), "renewTime": .string(now), "leaseTransitions": 0],
        ]
        state.withLock { _ = $0.write(.leases, namespace: namespace, name: name, lease) }
    }

    /// The stored object of any resource the fake serves.
    public func object(_ resource: FakeResource, namespace: String, name: String) -> JSONValue? {
        state.withLock { $0.object(resource, namespace, name) }
    }

    /// A HorizontalPodAutoscaler (autoscaling/v2) scaling `target` (a Deployment of that name).
    public func addHorizontalPodAutoscaler(namespace: String, name: String, target: String, kind: String = "Deployment") {
        let hpa: JSONValue = [
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": ["scaleTargetRef": ["apiVersion": "apps/v1", "kind": .string(kind), "name": .string(target)],
                     "minReplicas": 1, "maxReplicas": 10],
        ]
        state.withLock { _ = $0.write(.horizontalPodAutoscalers, namespace: namespace, name: name, hpa) }
    }

    /// Sets a workload's replicas as another writer would (a person, another controller): its
    /// resourceVersion moves on.
    public func setReplicas(namespace: String, name: String, _ replicas: Int) {
        state.withLock { state in
            guard var deployment = state.object(.deployments, namespace, name) else { return }
            deployment["spec"]?["replicas"] = .int(replicas)
            state.write(.deployments, namespace: namespace, name: name, deployment)
        }
    }

    /// The Events recorded in a namespace, oldest first.
    public func events(namespace: String) -> [JSONValue] {
        state.withLock { $0.list(.events, namespace: namespace, labels: try! FakeLabelSelector(""), fields: nil) }
    }

    public func deployment(namespace: String, name: String) -> JSONValue? {
        state.withLock { $0.object(.deployments, namespace, name) }
    }

    /// Forgets the change history, as etcd compaction does: watches from any earlier version get 410.
    public func expireHistory() {
        state.withLock { state in
            state.history.removeAll()
            state.oldestWatchable = state.resourceVersion + 1
        }
    }

    /// Ends every open watch, as the server does when a watch's timeout passes.
    public func closeWatches() {
        // Finished outside the lock: a finished stream's termination handler takes the lock itself.
        let open = state.withLock { state in
            defer { state.watches.removeAll() }
            return Array(state.watches.values)
        }
        for watch in open { watch.continuation.finish() }
    }

    public var openWatches: Int { state.withLock { $0.watches.count } }

    /// A pod as the API server returns it once scheduled: IP, node, phase and Ready condition set.
    public static func pod(name: String, namespace: String = "default", ip: String? = "10.0.0.1", node: String = "node-1",
                           ready: Bool = true, phase: String = "Running", labels: [String: String] = [:],
                           annotations: [String: String] = [:], containers: [JSONValue]) -> JSONValue {
        var status: JSONValue = ["phase": .string(phase), "hostIP": "192.168.0.10",
                                 "conditions": [["type": "Ready", "status": ready ? "True" : "False"]]]
        if let ip { status["podIP"] = .string(ip) }
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "namespace": .string(namespace),
                         "labels": .object(labels.mapValues { .string($0) }),
                         "annotations": .object(annotations.mapValues { .string($0) })],
            "spec": ["nodeName": .string(node), "containers": .array(containers)],
            "status": status,
        ]
    }

    public static func container(_ name: String, image: String = "example/app:1.0", ports: [(name: String?, port: Int)] = []) -> JSONValue {
        var container: JSONValue = ["name": .string(name), "image": .string(image)]
        if !ports.isEmpty {
            container["ports"] = .array(ports.map { port in
                var entry: JSONValue = ["containerPort": .int(port.port), "protocol": "TCP"]
                if let name = port.name { entry["name"] = .string(name) }
                return entry
            })
        }
        return container
    }
}
