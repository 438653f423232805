/// The API's `Status` object, the body of every error answer and of a watch's ERROR event.
public struct KubernetesStatus: Codable, Sendable, Equatable {
    public var status: String?
    public var message: String?
    /// Machine-readable: NotFound, Conflict, Forbidden, Unauthorized, Expired, Invalid, ...
    public var reason: String?
    public var code: Int?
    public var details: Details?

    public init(message: String?, reason: String?, code: Int?) {
        self.status = "Failure"
        self.message = message
        self.reason = reason
        self.code = code
    }

    public struct Details: Codable, Sendable, Equatable {
        public var name: String?
        public var group: String?
        public var kind: String?
    }
}

/// An answer other than 2xx. The API's own message is kept, so a user reads exactly what RBAC or
/// validation said.
public struct KubernetesError: Error, Sendable, Equatable, CustomStringConvertible {
    public let statusCode: Int
    public let status: KubernetesStatus?
    /// What was asked, e.g. "GET /api/v1/pods".
    public let request: String

    public init(statusCode: Int, status: KubernetesStatus?, request: String) {
        self.statusCode = statusCode
        self.status = status
        self.request = request
    }

    public var reason: String? { status?.reason }
    public var isConflict: Bool { statusCode == 409 }
    public var isNotFound: Bool { statusCode == 404 }
    /// 410 Gone: the resourceVersion a watch asked for is no longer kept; list again.
    public var isExpired: Bool { statusCode == 410 }

    public var description: String {
        let reason = status?.reason.map { " \($0)" } ?? ""
        return "\(request): \(statusCode)\(reason): \(status?.message ?? "no status message")"
    }
}
