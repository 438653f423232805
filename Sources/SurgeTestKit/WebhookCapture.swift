import Hummingbird
import NIOSSL
import Synchronization

/// A webhook receiver on 127.0.0.1 that keeps every body it gets; the first `failFirst` requests
/// are answered 503, as a receiver that is down for a while.
public final class WebhookCapture: Sendable {
    public let failFirst: Int
    private let state = Mutex<(requests: Int, bodies: [String], headers: [[String: String]], paths: [String])>((0, [], [], []))

    init(failFirst: Int) {
        self.failFirst = failFirst
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
    public static func with<T: Sendable>(failFirst: Int = 0, tls: TLSConfiguration? = nil,
                                         _ body: (WebhookCapture, String) async throws -> T) async throws -> T {
        let capture = WebhookCapture(failFirst: failFirst)
        return try await withLocalTestServer(label: "webhook-capture", tls: tls, respond: { request in
            var request = request
            let text = (try? await request.collectBody(upTo: 16 << 20)).map { String(buffer: $0) } ?? ""
            let refused = capture.state.withLock { state -> Bool in
                state.requests += 1
                guard state.requests > capture.failFirst else { return true }
                state.bodies.append(text)
                state.headers.append(Dictionary(request.headers.map { ($0.name.canonicalName, $0.value) }) { $1 })
                state.paths.append(request.uri.path)
                return false
            }
            return Response(status: refused ? .serviceUnavailable : .ok)
        }) { port in
            try await body(capture, "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)/hook")
        }
    }
}
