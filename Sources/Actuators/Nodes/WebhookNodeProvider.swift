import Alerting
import AsyncHTTPClient
import Foundation
import TimeSeriesCore
import NIOCore
import NIOHTTP1
import Synchronization

/// A node group sized by a system of the team's own (bare metal, an in-house IaaS).
public struct WebhookGroup: Sendable, Equatable {
    public var url: String
    /// HMAC-SHA256 key: each request carries `X-Surge-Signature-256: sha256=<hex>` of its body.
    public var signingKey: [UInt8]?
    /// A full `Authorization` header value, when the receiver wants one.
    public var authorization: String?
    /// The group's size, when the receiver cannot be asked (the webhook has no read call).
    public var size: Int?

    public init(url: String, signingKey: [UInt8]? = nil, authorization: String? = nil, size: Int? = nil) {
        self.url = url
        self.signingKey = signingKey
        self.authorization = authorization
        self.size = size
    }
}

/// Resizes a group with a signed JSON POST: `{"group", "current", "desired", "nodesToRemove", "time"}`.
/// 2xx is accepted (the body kept for the audit), 4xx refused, 5xx and failures unavailable. The
/// group's size is what the last accepted request set, starting from the configured size.
public final class WebhookNodeProvider: NodeProvider {
    let http: HTTPClient
    let timeout: TimeAmount
    let now: @Sendable () -> Date
    private let sizes = SizeBook()

    public init(http: HTTPClient = .shared, timeout: TimeAmount = .seconds(30), now: @escaping @Sendable () -> Date = { Date() }) {
        self.http = http
        self.timeout = timeout
        self.now = now
    }

    public func size(of group: NodeGroup) async throws -> NodeGroupSize {
        guard case .webhook(let webhook) = group.provider else { throw NodeProviderError("group \(group.name) is not a webhook group") }
        guard let target = sizes.size(of: group.name) ?? webhook.size else {
            throw NodeProviderError("group \(group.name): the webhook cannot be asked for the group's size; give its size in the configuration")
        }
        return NodeGroupSize(target: target)
    }

    public func resize(_ group: NodeGroup, from current: Int, to desired: Int, removing nodes: [String]) async -> NodeProviderAnswer {
        guard case .webhook(let webhook) = group.provider else { return .refused("group \(group.name) is not a webhook group") }
        let payload: [String: Any] = ["group": group.name, "current": current, "desired": desired, "nodesToRemove": nodes,
                                      "time": RFC3339Time.string(now())]
        guard let body = try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return .refused("the request could not be encoded")
        }
        var request = HTTPClientRequest(url: webhook.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "surge")
        if let key = webhook.signingKey { request.headers.add(name: "X-Surge-Signature-256", value: WebhookSignature.header(body: Array(body), key: key)) }
        if let authorization = webhook.authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await http.execute(request, timeout: timeout)
            let answer = String(buffer: try await response.body.collect(upTo: 64 << 10)).trimmingCharacters(in: .whitespacesAndNewlines)
            let text = "\(response.status.code)" + (answer.isEmpty ? "" : " " + String(answer.prefix(500)))
            switch response.status.code {
            case 200..<300:
                sizes.set(desired, for: group.name)
                return .accepted(text)
            case 400..<500 where response.status.code != 429: return .refused(text)
            default: return .unavailable(text)
            }
        } catch {
            return .unavailable("\(error)")
        }
    }
}

/// What each webhook group was last set to.
final class SizeBook: Sendable {
    private let sizes = Mutex<[String: Int]>([:])
    func size(of group: String) -> Int? { sizes.withLock { $0[group] } }
    func set(_ size: Int, for group: String) { sizes.withLock { $0[group] = size } }
}
