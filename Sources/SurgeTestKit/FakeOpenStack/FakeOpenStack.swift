import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Keystone v3 and Magnum on one port of 127.0.0.1, strict as the real ones: tokens issued for the
/// right password or application credential only (401 otherwise), each with its expiry and a
/// catalogue naming Magnum's endpoint; Magnum requests need a valid, unexpired `X-Auth-Token` (401)
/// and `OpenStack-API-Version: container-infra 1.7` or later for resize (406); a resize moves the
/// cluster to UPDATE_IN_PROGRESS, and `finishResize` to UPDATE_COMPLETE or UPDATE_FAILED.
public final class FakeOpenStack: Sendable {
    public struct NodeGroupState: Sendable, Equatable {
        public var nodeCount: Int
        public var minNodeCount: Int
        public var maxNodeCount: Int?

        public init(nodeCount: Int, minNodeCount: Int, maxNodeCount: Int?) {
            self.nodeCount = nodeCount
            self.minNodeCount = minNodeCount
            self.maxNodeCount = maxNodeCount
        }
    }

    struct State: Sendable {
        var tokens: [String: Date] = [:]
        var issued = 0
        var clusterStatus = "CREATE_COMPLETE"
        var statusReason: String?
        var groups: [String: NodeGroupState] = [:]
        var resizes: [[String: JSONValue]] = []
        var failNext: Int?
    }

    public let url: String
    public let clusterID = "7c0f2cb8-1b7e-4d4c-9a4f-5b2f0b2c9e11"
    public let user = "surge", password = "s3cret", project = "platform"
    public let credentialID = "ac-1", credentialSecret = "ac-secret"
    let tokenLifetime: TimeInterval
    let state = Mutex(State())

    init(url: String, tokenLifetime: TimeInterval) {
        self.url = url
        self.tokenLifetime = tokenLifetime
    }

    /// Runs the fake while `body` runs; Keystone's `auth_url` is `url + "/identity"`.
    public static func with<T: Sendable>(tokenLifetime: TimeInterval = 3600, groups: [String: NodeGroupState],
                                         _ body: (FakeOpenStack) async throws -> T) async throws -> T {
        let port = try freeLocalPort()
        let fake = FakeOpenStack(url: "http://127.0.0.1:\(port)", tokenLifetime: tokenLifetime)
        fake.state.withLock { $0.groups = groups }
        return try await withLocalTestServer(label: "fake-openstack", port: port, respond: { await fake.respond(to: $0) }) { _ in
            try await body(fake)
        }
    }

    public var authURL: String { url + "/identity" }
    /// Tokens Keystone issued so far.
    public var tokensIssued: Int { state.withLock { $0.issued } }
    public var resizeRequests: [[String: JSONValue]] { state.withLock { $0.resizes } }
    public func group(_ name: String) -> NodeGroupState? { state.withLock { $0.groups[name] } }
    /// Expires every token now, as Keystone revoking them.
    public func expireTokens() { state.withLock { $0.tokens = [:] } }
    /// The next Magnum request is answered with this status.
    public func failNext(_ status: Int) { state.withLock { $0.failNext = status } }
    public func finishResize(failed: Bool = false) {
        state.withLock {
            $0.clusterStatus = failed ? "UPDATE_FAILED" : "UPDATE_COMPLETE"
            $0.statusReason = failed ? "Resource UPDATE failed: quota exceeded" : nil
        }
    }

    func respond(to request: Request) async -> Response {
        var request = request
        let body = (try? await request.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
        let path = request.uri.path
        if path == "/identity/v3/auth/tokens" && request.method == .post { return issue(body) }
        guard path.hasPrefix("/magnum/v1/") else { return Self.json(["error": "not found"], status: .notFound) }
        let token = request.headers[HTTPField.Name("X-Auth-Token")!] ?? ""
        let valid = state.withLock { state in state.tokens[token].map { $0 > Date() } ?? false }
        guard valid else { return Self.json(["error": ["code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."]], status: .unauthorized) }
        if let status = state.withLock({ state -> Int? in defer { state.failNext = nil }; return state.failNext }) {
            return Self.json(["errors": [["status": .int(status), "title": "injected failure"]]], status: .init(code: status))
        }
        let parts = path.dropFirst("/magnum/v1/".count).split(separator: "/").map(String.init)
        guard parts.count >= 2, parts[0] == "clusters", parts[1] == clusterID else { return Self.json(["errors": [["status": 404, "title": "Cluster not found"]]], status: .notFound) }
        switch (request.method, parts.count) {
        case (.get, 2):
            return state.withLock { state in
                Self.json(["uuid": .string(clusterID), "status": .string(state.clusterStatus), "status_reason": state.statusReason.map { .string($0) } ?? .null])
            }
        case (.get, 4) where parts[2] == "nodegroups":
            return state.withLock { state in
                guard let group = state.groups[parts[3]] else { return Self.json(["errors": [["status": 404, "title": "NodeGroup not found"]]], status: .notFound) }
                return Self.json(["name": .string(parts[3]), "node_count": .int(group.nodeCount), "min_node_count": .int(group.minNodeCount),
                                  "max_node_count": group.maxNodeCount.map { .int($0) } ?? .null])
            }
        case (.post, 4) where parts[2] == "actions" && parts[3] == "resize":
            let version = request.headers[HTTPField.Name("OpenStack-API-Version")!] ?? ""
            guard let minor = version.split(separator: ".").last.flatMap({ Int($0) }), version.hasPrefix("container-infra 1."), minor >= 7 else {
                return Self.json(["errors": [["status": 406, "title": "Version 1.7 or later is required for resize"]]], status: .notAcceptable)
            }
            guard let object = JSONValue.decode(body), let count = object["node_count"]?.int, count >= 0 else {
                return Self.json(["errors": [["status": 400, "title": "node_count is required"]]], status: .badRequest)
            }
            return state.withLock { state in
                let name = object["nodegroup"]?.string ?? "default-worker"
                guard var group = state.groups[name] else { return Self.json(["errors": [["status": 404, "title": "NodeGroup not found"]]], status: .notFound) }
                if count < group.minNodeCount || group.maxNodeCount.map({ count > $0 }) == true {
                    return Self.json(["errors": [["status": 400, "title": .string("Resizing \(name) outside its min and max node count")]]], status: .badRequest)
                }
                guard !state.clusterStatus.hasSuffix("_IN_PROGRESS") else {
                    return Self.json(["errors": [["status": 409, "title": .string("Cluster \(clusterID) already has an operation in progress")]]], status: .conflict)
                }
                group.nodeCount = count
                state.groups[name] = group
                state.clusterStatus = "UPDATE_IN_PROGRESS"
                if case .object(let fields) = object { state.resizes.append(fields) }
                return Self.json(["uuid": .string(clusterID)], status: .accepted)
            }
        default:
            return Self.json(["errors": [["status": 405, "title": "Method not allowed"]]], status: .methodNotAllowed)
        }
    }

    func issue(_ body: Data) -> Response {
        guard let request = JSONValue.decode(body), let identity = request[path: "auth.identity"] else {
            return Self.json(["error": ["code": 400, "message": "Expecting to find auth in request body."]], status: .badRequest)
        }
        let methods = identity["methods"]
        let byPassword = identity[path: "password.user.name"]?.string == user && identity[path: "password.user.password"]?.string == password
            && identity[path: "password.user.domain.name"]?.string == "Default" && request[path: "auth.scope.project.name"]?.string == project
        let byCredential = identity[path: "application_credential.id"]?.string == credentialID
            && identity[path: "application_credential.secret"]?.string == credentialSecret
        guard (methods == ["password"] && byPassword) || (methods == ["application_credential"] && byCredential) else {
            return Self.json(["error": ["code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."]], status: .unauthorized)
        }
        let token = UUID().uuidString
        let expires = Date().addingTimeInterval(tokenLifetime)
        state.withLock {
            $0.tokens[token] = expires
            $0.issued += 1
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let catalog: JSONValue = [
            ["type": "identity", "name": "keystone", "endpoints": [["interface": "public", "region": "RegionOne", "url": .string(authURL + "/v3")]]],
            ["type": "container-infra", "name": "magnum", "endpoints": [
                ["interface": "internal", "region": "RegionOne", "url": "http://10.0.0.1:9511/v1"],
                ["interface": "public", "region": "RegionOne", "url": .string(url + "/magnum/v1")],
            ]],
        ]
        var response = Self.json(["token": ["expires_at": .string(formatter.string(from: expires)), "methods": methods ?? .null, "catalog": catalog]],
                                 status: .created)
        response.headers[HTTPField.Name("X-Subject-Token")!] = token
        return response
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.encoded())))
    }
}
