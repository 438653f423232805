import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import TimeSeriesCore

/// An OpenStack Magnum cluster's node group, and the Keystone v3 credentials that reach it.
public struct MagnumGroup: Sendable, Equatable {
    public enum Credentials: Sendable, Equatable {
        case password(user: String, userDomain: String, password: String, project: String, projectDomain: String)
        case applicationCredential(id: String, secret: String)
    }

    /// Keystone's URL, with or without `/v3`.
    public var authURL: String
    public var credentials: Credentials
    /// The catalogue entry's region; nil takes the first public container-infra endpoint.
    public var region: String?
    public var clusterID: String
    public var nodeGroup: String

    public init(authURL: String, credentials: Credentials, region: String? = nil, clusterID: String, nodeGroup: String = "default-worker") {
        self.authURL = authURL
        self.credentials = credentials
        self.region = region
        self.clusterID = clusterID
        self.nodeGroup = nodeGroup
    }
}

/// Resizes Magnum node groups: `POST /v1/clusters/ID/actions/resize` with `node_count`, `nodegroup`
/// and `nodes_to_remove` (Nova server IDs: a node's `openstack:///ID` provider ID is taken apart),
/// authenticated with a Keystone v3 token issued for the group's credentials and issued again five
/// minutes before it expires (or after a 401), Magnum's endpoint found in the token's catalogue.
public final class MagnumProvider: NodeProvider {
    let http: HTTPClient
    let timeout: TimeAmount
    let now: @Sendable () -> Date
    private let tokens = Mutex<[MagnumGroup.Credentials: (token: String, expires: Date, endpoint: String)]>([:])

    public init(http: HTTPClient = .shared, timeout: TimeAmount = .seconds(30), now: @escaping @Sendable () -> Date = { Date() }) {
        self.http = http
        self.timeout = timeout
        self.now = now
    }

    /// Magnum's resize exists from this microversion on.
    static let apiVersion = "container-infra 1.7"

    public func size(of group: NodeGroup) async throws -> NodeGroupSize {
        let magnum = try Self.magnum(group)
        let (status, body) = try await call(magnum, .GET, "/clusters/\(magnum.clusterID)/nodegroups/\(magnum.nodeGroup)", body: nil)
        guard status == 200, let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any], let count = object["node_count"] as? Int else {
            throw NodeProviderError("Magnum node group \(magnum.nodeGroup) of cluster \(magnum.clusterID): \(status) \(String(decoding: body.prefix(300), as: UTF8.self))")
        }
        return NodeGroupSize(target: count, minSize: object["min_node_count"] as? Int, maxSize: object["max_node_count"] as? Int)
    }

    public func resize(_ group: NodeGroup, from current: Int, to desired: Int, removing nodes: [String]) async -> NodeProviderAnswer {
        do {
            let magnum = try Self.magnum(group)
            var payload: [String: Any] = ["node_count": desired, "nodegroup": magnum.nodeGroup]
            if !nodes.isEmpty { payload["nodes_to_remove"] = nodes.map { $0.hasPrefix("openstack:///") ? String($0.dropFirst(13)) : $0 } }
            let (status, body) = try await call(magnum, .POST, "/clusters/\(magnum.clusterID)/actions/resize",
                                                body: try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]))
            let text = "\(status) \(String(decoding: body.prefix(500), as: UTF8.self))"
            switch status {
            case 200..<300: return .accepted(text)
            case 400..<500 where status != 429: return .refused(text)
            default: return .unavailable(text)
            }
        } catch {
            return .unavailable("\(error)")
        }
    }

    /// The cluster's status and reason ("UPDATE_IN_PROGRESS", "UPDATE_COMPLETE", "UPDATE_FAILED", ...).
    public func clusterStatus(of group: NodeGroup) async throws -> (status: String, reason: String?) {
        let magnum = try Self.magnum(group)
        let (status, body) = try await call(magnum, .GET, "/clusters/\(magnum.clusterID)", body: nil)
        guard status == 200, let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any], let state = object["status"] as? String else {
            throw NodeProviderError("Magnum cluster \(magnum.clusterID): \(status) \(String(decoding: body.prefix(300), as: UTF8.self))")
        }
        return (state, object["status_reason"] as? String)
    }

    static func magnum(_ group: NodeGroup) throws -> MagnumGroup {
        guard case .magnum(let magnum) = group.provider else { throw NodeProviderError("group \(group.name) is not a Magnum group") }
        return magnum
    }

    /// One Magnum request with a valid token; a 401 issues a new token and tries once more.
    func call(_ group: MagnumGroup, _ method: HTTPMethod, _ path: String, body: Data?) async throws -> (Int, Data) {
        for attempt in 0..<2 {
            let (token, endpoint) = try await token(for: group, fresh: attempt > 0)
            var request = HTTPClientRequest(url: endpoint + path)
            request.method = method
            request.headers.add(name: "X-Auth-Token", value: token)
            request.headers.add(name: "OpenStack-API-Version", value: Self.apiVersion)
            request.headers.add(name: "Accept", value: "application/json")
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            let response = try await http.execute(request, timeout: timeout)
            let bytes = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
            if response.status.code == 401 && attempt == 0 { continue }
            return (Int(response.status.code), bytes)
        }
        throw NodeProviderError("Magnum refused two fresh Keystone tokens")
    }

    /// A token and Magnum's endpoint, issued by Keystone when there is none or it expires within five minutes.
    func token(for group: MagnumGroup, fresh: Bool) async throws -> (String, String) {
        if !fresh, let known = tokens.withLock({ $0[group.credentials] }), known.expires.timeIntervalSince(now()) > 300 {
            return (known.token, known.endpoint)
        }
        let identity: [String: Any]
        var auth: [String: Any]
        switch group.credentials {
        case .password(let user, let userDomain, let password, let project, let projectDomain):
            identity = ["methods": ["password"], "password": ["user": ["name": user, "domain": ["name": userDomain], "password": password]]]
            auth = ["identity": identity, "scope": ["project": ["name": project, "domain": ["name": projectDomain]]]]
        case .applicationCredential(let id, let secret):
            identity = ["methods": ["application_credential"], "application_credential": ["id": id, "secret": secret]]
            auth = ["identity": identity]
        }
        var base = group.authURL
        while base.hasSuffix("/") { base.removeLast() }
        if !base.hasSuffix("/v3") { base += "/v3" }
        var request = HTTPClientRequest(url: base + "/auth/tokens")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["auth": auth])))
        let response = try await http.execute(request, timeout: timeout)
        let body = Data(try await response.body.collect(upTo: 4 << 20).readableBytesView)
        guard response.status.code == 201, let token = response.headers.first(name: "X-Subject-Token") else {
            throw NodeProviderError("Keystone refused the credentials: \(response.status.code) \(String(decoding: body.prefix(300), as: UTF8.self))")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any], let details = object["token"] as? [String: Any],
              let expiresText = details["expires_at"] as? String,
              let expires = RFC3339Time.date(expiresText) else {
            throw NodeProviderError("Keystone's token has no expires_at")
        }
        let catalog = details["catalog"] as? [[String: Any]] ?? []
        let endpoints = catalog.filter { $0["type"] as? String == "container-infra" }.flatMap { $0["endpoints"] as? [[String: Any]] ?? [] }
        guard var endpoint = endpoints.first(where: { $0["interface"] as? String == "public" && (group.region == nil || $0["region"] as? String == group.region) })?["url"] as? String else {
            throw NodeProviderError("Keystone's catalogue has no public container-infra (Magnum) endpoint" + (group.region.map { " in region \($0)" } ?? ""))
        }
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        if !endpoint.hasSuffix("/v1") { endpoint += "/v1" }
        tokens.withLock { $0[group.credentials] = (token, expires, endpoint) }
        return (token, endpoint)
    }
}

extension MagnumGroup.Credentials: Hashable {}
