import Hummingbird
import NIOSSL
import Synchronization

/// A webhook receiver on 127.0.0.1 that keeps every body it gets; the first requests are answered
/// with `refusals` in turn (503 by default, `failFirst` of them), as a receiver that is down or
/// overloaded for a while; a 429 asks for a second's wait with `Retry-After`.
public final class WebhookCapture: Sendable {
    public let refusals: [HTTPResponse.Status]
    public var failFirst: Int { refusals.count }
    private let state = Mutex<(requests: Int, bodies: [String], headers: [[String: String]], paths: [String])>((0, [], [], []))

    init(refusals: [HTTPResponse.Status]) {
        self.refusals = refusals
    }

    /// Bodies of the requests answered 200, in order.
    public var bodies: [String] { state.withLock { $0.bodies } }
    /// Headers (lowercase names) of the requests answered 200, in order.
    public var headers: [[String: String]] { state.withLock { $0.headers } }
    /// Paths of the requests answered 200, in order.
    public var paths: [String] { state.withLock { $0.paths } }
    /// Every request, refused ones included.
    public var requests: Int { state.withLock { $0.requests } }

    /// Runs `body` with a capture listening at the URL it is given (https with `tls`).
    public static func with<T: Sendable>(failFirst: Int = 0, refusals: [HTTPResponse.Status]? = nil, tls: TLSConfiguration? = nil,
                                         _ body: (WebhookCapture, String) async throws -> T) async throws -> T {
        let capture = WebhookCapture(refusals: refusals ?? Array(repeating: .serviceUnavailable, count: failFirst))
        return try await withLocalTestServer(label: "webhook-capture", tls: tls, respond: { request in
            var request = request
            let text = (try? await request.collectBody(upTo: 16 << 20)).map { String(buffer: $0) } ?? ""
            let refusal = capture.state.withLock { state -> HTTPResponse.Status? in
                state.requests += 1
                guard state.requests > capture.refusals.count else { return capture.refusals[state.requests - 1] }
                state.bodies.append(text)
                state.headers.append(Dictionary(request.headers.map { ($0.name.canonicalName, $0.value) }) { $1 })
                state.paths.append(request.uri.path)
                return nil
            }
            guard let refusal else { return Response(status: .ok) }
            return Response(status: refusal, headers: refusal == .tooManyRequests ? [.retryAfter: "1"] : [:])
        }) { port in
            try await body(capture, "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)/hook")
        }
    }
}
