import Foundation
import NIOCore
import NIOFoundationCompat

/// The fake API server's store: objects by resource, namespace and name, a cluster-wide
/// resourceVersion bumped by every write, the history watches replay from, and the open watches.
struct FakeKubernetesState: Sendable {
    struct Change: Sendable {
        let resourceVersion: Int
        let resource: FakeResource
        let old: JSONValue?
        let new: JSONValue?
    }

    struct Watch: Sendable {
        let resource: FakeResource
        let namespace: String?
        let labels: FakeLabelSelector
        let fields: FakeFieldSelector?
        let continuation: AsyncStream<ByteBuffer>.Continuation

        func matches(_ object: JSONValue?) -> Bool {
            guard let object else { return false }
            if let namespace, object[path: "metadata.namespace"]?.string != namespace { return false }
            return labels.matches(object[path: "metadata.labels"]?.stringMap ?? [:]) && (fields?.matches(object) ?? true)
        }

        /// What this watch sees of a change: a pod leaving the selector is DELETED, entering it ADDED.
        func event(for change: Change) -> JSONValue? {
            guard change.resource == resource else { return nil }
            let before = matches(change.old)
            let after = matches(change.new)
            let type: String
            switch (before, after) {
            case (true, true): type = "MODIFIED"
            case (false, true): type = "ADDED"
            case (true, false): type = "DELETED"
            case (false, false): return nil
            }
            var object = change.new ?? change.old!
            if change.new == nil { object["metadata"]?["resourceVersion"] = .string(String(change.resourceVersion)) }
            object["kind"] = .string(resource.kind)
            object["apiVersion"] = .string(resource.apiVersion)
            return ["type": .string(type), "object": object]
        }
    }

    var resourceVersion = 1000
    var objects: [String: JSONValue] = [:]
    var history: [Change] = []
    /// Watches asking to start before this version are told it expired (410).
    var oldestWatchable = 0
    var watches: [Int: Watch] = [:]
    var nextWatch = 0
    /// Whether KEDA's CustomResourceDefinitions exist: without them scaledobjects paths are 404.
    var kedaInstalled = false
    /// Resources of the CustomResourceDefinitions a test installed.
    var customResources: [FakeResource] = []
    /// While set, every request is answered 503, as an API server whose etcd is gone.
    var unavailable = false
    var accounts: [String: FakeKubernetesAccount] = [:]
    var requests: [String] = []
    /// Per token, the rules (by index) and verbs requests were allowed by.
    var grantsUsed: [String: Set<String>] = [:]
    var nextUID = 0

    static func key(_ resource: FakeResource, _ namespace: String, _ name: String) -> String {
        "\(resource.qualifiedName)/\(namespace)/\(name)"
    }

    /// What discovery lists and paths reach: KEDA's resources only while it is installed.
    var served: [FakeResource] {
        FakeResource.builtIn.filter { $0 != .scaledObjects || kedaInstalled } + customResources
    }

    func object(_ resource: FakeResource, _ namespace: String, _ name: String) -> JSONValue? {
        objects[Self.key(resource, namespace, name)]
    }

    func list(_ resource: FakeResource, namespace: String?, labels: FakeLabelSelector, fields: FakeFieldSelector?) -> [JSONValue] {
        let prefix = "\(resource.qualifiedName)/" + (namespace.map { "\($0)/" } ?? "")
        return objects.filter { $0.key.hasPrefix(prefix) }.sorted { $0.key < $1.key }.map(\.value).filter { object in
            labels.matches(object[path: "metadata.labels"]?.stringMap ?? [:]) && (fields?.matches(object) ?? true)
        }
    }

    /// Stores (or, with nil, deletes) an object, giving it a new resourceVersion, and tells watches.
    @discardableResult
    mutating func write(_ resource: FakeResource, namespace: String, name: String, _ new: JSONValue?) -> JSONValue? {
        let key = Self.key(resource, namespace, name)
        let old = objects[key]
        resourceVersion += 1
        var stored = new
        if stored != nil {
            stored!["metadata"]?["resourceVersion"] = .string(String(resourceVersion))
            if !namespace.isEmpty { stored!["metadata"]?["namespace"] = .string(namespace) }
            stored!["metadata"]?["name"] = .string(name)
            if stored![path: "metadata.uid"] == nil {
                nextUID += 1
                stored!["metadata"]?["uid"] = .string(String(format: "00000000-0000-4000-8000-%012d", nextUID))
            }
            if stored![path: "metadata.creationTimestamp"] == nil {
                stored!["metadata"]?["creationTimestamp"] = .string(ISO8601DateFormatter().string(from: Date()))
            }
        }
        objects[key] = stored
        let change = Change(resourceVersion: resourceVersion, resource: resource, old: old, new: stored)
        history.append(change)
        for watch in watches.values {
            if let event = watch.event(for: change) { watch.continuation.yield(Self.line(event)) }
        }
        return stored
    }

    static func line(_ value: JSONValue) -> ByteBuffer {
        var buffer = ByteBuffer(data: value.encoded())
        buffer.writeString("\n")
        return buffer
    }
}
