import HTTPTypes
import Hummingbird
import HummingbirdAuth

/// Enforces the access control on every route: admin routes only when enabled, credentials when
/// the web configuration names users or tokens, the permission the route needs, no cross-site
/// writes or admin calls, no foreign `Host` on admin routes; and adds the configured headers to
/// every answer. Credentials are never logged.
public struct AccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let access: AccessControl
    let placement: WorkPlacement

    public init(access: AccessControl, placement: WorkPlacement = WorkPlacement()) {
        self.access = access
        self.placement = placement
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let config = access.config
        var response: Response
        if let refusal = await refusal(of: request, route: context.endpointPath ?? request.uri.path, config: config) {
            response = refusal
        } else {
            do {
                response = try await next(request, context)
            } catch let error as any HTTPResponseError {
                // Answered here rather than by the server, so that not-found answers carry the headers too.
                response = try error.response(from: request, context: context)
            }
        }
        for (name, value) in config.headers {
            if let field = HTTPField.Name(name) { response.headers[field] = value }
        }
        return response
    }

    /// The answer to a request that may not proceed, or nil.
    func refusal(of request: Request, route: String, config: WebConfig) async -> Response? {
        guard let needed = Permission.needed(forRoute: route) else { return nil }
        if needed == .admin && route.hasPrefix("/-/") {
            guard access.options.lifecycleEnabled else { return textResponse("Lifecycle API is not enabled.\n", status: .forbidden) }
        } else if needed == .admin && !access.options.adminEnabled {
            return APIError(.unavailable, "admin APIs disabled").response
        }
        let origin = RequestOrigin(host: request.head.authority, origin: request.headers[.origin],
                                   fetchSite: request.headers[.secFetchSite])
        if needed != .read, let reason = origin.crossSiteReason {
            return textResponse("Forbidden: \(reason) may not \(needed.rawValue).\n", status: .forbidden)
        }
        if needed == .admin, let reason = origin.foreignHostReason(allowedHosts: access.options.allowedHosts) {
            return textResponse("Forbidden: \(reason).\n", status: .forbidden)
        }
        guard config.requiresCredentials else { return nil }
        guard let identity = await identify(request.headers, config: config) else {
            var response = textResponse("Unauthorized\n", status: .unauthorized)
            response.headers[.wwwAuthenticate] = config.basicAuthUsers.isEmpty ? "Bearer" : "Basic"
            return response
        }
        guard config.permissions(of: identity).contains(needed) else {
            return textResponse("Forbidden: \(identity) may not \(needed.rawValue).\n", status: .forbidden)
        }
        return nil
    }

    /// The user or token name the credentials prove, or nil.
    func identify(_ headers: HTTPFields, config: WebConfig) async -> String? {
        if let basic = headers.basic, !config.basicAuthUsers.isEmpty {
            let (user, password, hash) = (basic.username, basic.password, config.basicAuthUsers[basic.username])
            let passwords = access.passwords
            // A remembered answer is given here; a new one costs a bcrypt check, done off the event loop.
            if let matches = passwords.remembered(user: user, password: password, hash: hash) { return matches ? user : nil }
            return await placement.offload { passwords.verify(user: user, password: password, hash: hash) } ? user : nil
        }
        if let bearer = headers.bearer {
            let token = Array(bearer.token.utf8)
            // Every token is compared in full, so the time taken tells nothing about which matched.
            var match: String?
            for (name, expected) in config.bearerTokens where constantTimeEqual(Array(expected.utf8), token) {
                match = name
            }
            return match
        }
        return nil
    }
}

func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for i in a.indices { difference |= a[i] ^ b[i] }
    return difference == 0
}

extension HTTPField.Name {
    static let origin = HTTPField.Name("Origin")!
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
