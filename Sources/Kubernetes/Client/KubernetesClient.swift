import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// A small typed client for the API server over AsyncHTTPClient. Every request carries the
/// credentials' Authorization header (token files are read per request) and, for https, the TLS
/// settings. Answers other than 2xx become `KubernetesError` with the API's Status.
public final class KubernetesClient: Sendable {
    public let credentials: KubernetesCredentials
    let http: HTTPClient
    let tlsConfiguration: TLSConfiguration?
    /// The longest a non-watch request may take.
    let requestTimeout: TimeAmount
    /// Custom kinds' resource names found through discovery ("example.com/v1 WebApp" → "webapps").
    let discoveredScaleResources = Mutex<[String: String]>([:])

    public init(credentials: KubernetesCredentials, httpClient: HTTPClient, requestTimeout: TimeAmount = .seconds(30)) throws(TLSSettingsError) {
        self.credentials = credentials
        self.http = httpClient
        self.requestTimeout = requestTimeout
        tlsConfiguration = credentials.server.hasPrefix("https://") ? try credentials.tls.makeConfiguration() : nil
    }

    // MARK: Pods

    public func listPods(namespace: String?, labelSelector: String? = nil, fieldSelector: String? = nil) async throws -> PodList {
        try await get(Self.podsPath(namespace), query: Self.selectors(labelSelector, fieldSelector))
    }

    /// Watches pods from `resourceVersion`, calling `handle` for each event until the server ends
    /// the stream (after `timeoutSeconds`) or `handle` throws.
    public func watchPods(namespace: String?, labelSelector: String? = nil, fieldSelector: String? = nil,
                          resourceVersion: String?, timeoutSeconds: Int = 300,
                          handle: (WatchEvent<Pod>) async throws -> Void) async throws {
        var query = Self.selectors(labelSelector, fieldSelector) + [("watch", "true"), ("allowWatchBookmarks", "true"),
                                                                    ("timeoutSeconds", String(timeoutSeconds))]
        if let resourceVersion { query.append(("resourceVersion", resourceVersion)) }
        try await watch(Self.podsPath(namespace), query: query, timeout: .seconds(Int64(timeoutSeconds) + 30), handle: handle)
    }

    static func podsPath(_ namespace: String?) -> String {
        namespace.map { "/api/v1/namespaces/\($0)/pods" } ?? "/api/v1/pods"
    }

    static func selectors(_ label: String?, _ field: String?) -> [(String, String)] {
        (label.map { [("labelSelector", $0)] } ?? []) + (field.map { [("fieldSelector", $0)] } ?? [])
    }

    // MARK: Scale subresource

    public func scale(of target: ScaleTarget) async throws -> Scale {
        try await get(target.scalePath)
    }

    /// Replaces the scale; the API refuses with 409 Conflict when `scale.metadata.resourceVersion` is
    /// not the current one, so a decision made on stale state is not applied.
    public func updateScale(of target: ScaleTarget, to scale: Scale) async throws -> Scale {
        try await send(.PUT, target.scalePath, body: try JSONEncoder().encode(scale), contentType: "application/json")
    }

    /// Sets only `spec.replicas` with a JSON merge patch, which does not check the resourceVersion.
    public func patchReplicas(of target: ScaleTarget, to replicas: Int) async throws -> Scale {
        try await send(.PATCH, target.scalePath, body: Data("{\"spec\":{\"replicas\":\(replicas)}}".utf8),
                       contentType: "application/merge-patch+json")
    }

    // MARK: Events and other autoscalers

    /// Records an Event in its object's namespace.
    @discardableResult
    public func createEvent(_ event: KubernetesEvent) async throws -> KubernetesEvent {
        try await send(.POST, "/api/v1/namespaces/\(event.involvedObject.namespace)/events", body: try JSONEncoder().encode(event),
                       contentType: "application/json")
    }

    /// The HorizontalPodAutoscalers of a namespace (autoscaling/v2).
    public func horizontalPodAutoscalers(namespace: String) async throws -> ScalerObjectList {
        try await get("/apis/autoscaling/v2/namespaces/\(namespace)/horizontalpodautoscalers")
    }

    /// The KEDA ScaledObjects of a namespace (keda.sh/v1alpha1); 404 when KEDA is not installed.
    public func scaledObjects(namespace: String) async throws -> ScalerObjectList {
        try await get("/apis/keda.sh/v1alpha1/namespaces/\(namespace)/scaledobjects")
    }

    // MARK: Leases

    static func leasePath(_ namespace: String, _ name: String? = nil) -> String {
        "/apis/coordination.k8s.io/v1/namespaces/\(namespace)/leases" + (name.map { "/\($0)" } ?? "")
    }

    /// The Lease, or nil when there is none.
    public func lease(namespace: String, name: String) async throws -> Lease? {
        do {
            return try await get(Self.leasePath(namespace, name))
        } catch let error as KubernetesError where error.isNotFound {
            return nil
        }
    }

    public func createLease(_ lease: Lease) async throws -> Lease {
        try await send(.POST, Self.leasePath(lease.metadata.namespace ?? "default"), body: try JSONEncoder().encode(lease), contentType: "application/json")
    }

    /// Replaces the Lease; 409 Conflict when `lease.metadata.resourceVersion` is not the current one.
    public func updateLease(_ lease: Lease) async throws -> Lease {
        try await send(.PUT, Self.leasePath(lease.metadata.namespace ?? "default", lease.metadata.name ?? ""), body: try JSONEncoder().encode(lease),
                       contentType: "application/json")
    }

    // MARK: Requests

    public func get<T: Decodable>(_ path: String, query: [(String, String)] = []) async throws -> T {
        try await send(.GET, path, query: query)
    }

    /// Marks a node unschedulable, as `kubectl cordon` does.
    public func cordon(node: String) async throws {
        let _: KubernetesNode = try await mergePatch("/api/v1/nodes/\(node)", Data("{\"spec\":{\"unschedulable\":true}}".utf8))
    }

    /// Evicts a pod through the Eviction API, which honours PodDisruptionBudgets: 429 means a budget
    /// allows no disruption now, to be tried again later.
    public func evict(namespace: String, pod: String) async throws {
        let body = "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"\(pod)\",\"namespace\":\"\(namespace)\"}}"
        let _: KubernetesStatus = try await send(.POST, "/api/v1/namespaces/\(namespace)/pods/\(pod)/eviction", body: Data(body.utf8), contentType: "application/json")
    }

    /// A JSON merge patch of any object or subresource at `path`.
    public func mergePatch<T: Decodable>(_ path: String, _ patch: Data) async throws -> T {
        try await send(.PATCH, path, body: patch, contentType: "application/merge-patch+json")
    }

    func send<T: Decodable>(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [],
                            body: Data? = nil, contentType: String? = nil) async throws -> T {
        let request = try await makeRequest(method, path, query: query, body: body, contentType: contentType)
        let response = try await http.execute(request, timeout: requestTimeout)
        let bytes = try await response.body.collect(upTo: 64 << 20)
        try check(response.status, bytes, method: method, path: path)
        return try JSONDecoder().decode(T.self, from: Data(bytes.readableBytesView))
    }

    func watch<T: Decodable>(_ path: String, query: [(String, String)], timeout: TimeAmount,
                             handle: (WatchEvent<T>) async throws -> Void) async throws {
        let request = try await makeRequest(.GET, path, query: query, body: nil, contentType: nil)
        let response = try await http.execute(request, timeout: timeout)
        guard (200..<300).contains(response.status.code) else {
            let bytes = try await response.body.collect(upTo: 1 << 20)
            try check(response.status, bytes, method: .GET, path: path)
            return
        }
        var lines = WatchLineSplitter()
        let decoder = JSONDecoder()
        for try await chunk in response.body {
            for line in lines.append(chunk) {
                try await handle(try decoder.decode(WatchEvent<T>.self, from: line))
            }
        }
    }

    private func makeRequest(_ method: HTTPMethod, _ path: String, query: [(String, String)], body: Data?, contentType: String?) async throws -> HTTPClientRequest {
        var url = credentials.server + path
        if !query.isEmpty {
            url += "?" + query.map { "\($0.0)=\(Self.percentEncode($0.1))" }.joined(separator: "&")
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.tlsConfiguration = tlsConfiguration
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "surge")
        if let authorization = try await credentials.authorization() {
            request.headers.add(name: "Authorization", value: authorization)
        }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    private func check(_ status: HTTPResponseStatus, _ bytes: ByteBuffer, method: HTTPMethod, path: String) throws {
        guard !(200..<300).contains(status.code) else { return }
        // An exec plugin's token the server no longer takes is fetched anew for the next request.
        if status == .unauthorized { credentials.exec?.invalidate() }
        let decoded = try? JSONDecoder().decode(KubernetesStatus.self, from: Data(bytes.readableBytesView))
        let fallback = KubernetesStatus(message: String(buffer: bytes).trimmingCharacters(in: .whitespacesAndNewlines),
                                        reason: status.reasonPhrase, code: Int(status.code))
        throw KubernetesError(statusCode: Int(status.code), status: decoded ?? fallback, request: "\(method.rawValue) \(path)")
    }

    static func percentEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
