/// The web configuration, in Prometheus' `--web.config.file` shape plus Surge's bearer tokens and
/// permissions: TLS, the users and tokens that may call, what each may do, and headers added to
/// every response. Reading the file is App's; this is what the server enforces.
public struct WebConfig: Sendable, Equatable {
    /// `tls_server_config`; nil serves plain HTTP.
    public var tls: TLSServer?
    /// `http_server_config.headers`, added to every response.
    public var headers: [String: String] = [:]
    /// `basic_auth_users`: user name to bcrypt hash.
    public var basicAuthUsers: [String: String] = [:]
    /// `bearer_tokens`: the name a token acts as, to the token read from its file.
    public var bearerTokens: [String: String] = [:]
    /// `permissions`: what each user or token may do. Without it every identity may do everything,
    /// as in Prometheus; with it, identities it does not name may do nothing.
    public var permissions: [String: Set<Permission>]?

    public init() {}

    /// Whether requests must carry credentials; without users or tokens anyone may call.
    public var requiresCredentials: Bool { !basicAuthUsers.isEmpty || !bearerTokens.isEmpty }

    public func permissions(of identity: String) -> Set<Permission> {
        permissions.map { $0[identity] ?? [] } ?? Set(Permission.allCases)
    }

    /// The headers `http_server_config.headers` may set, as in Prometheus; any other is refused
    /// when the file is read.
    public static let settableHeaders = ["Content-Security-Policy", "Strict-Transport-Security", "X-Content-Type-Options",
                                         "X-Frame-Options", "X-XSS-Protection"]

    public struct TLSServer: Sendable, Equatable {
        public var certFile: String
        public var keyFile: String
        public var clientAuth: ClientAuth = .none
        /// CA certificates client certificates are verified against.
        public var clientCAFile: String?
        public var minVersion: TLSVersion = .tls12
        public var maxVersion: TLSVersion?

        public init(certFile: String, keyFile: String) {
            self.certFile = certFile
            self.keyFile = keyFile
        }

        /// Every file the settings read, to notice when one changes.
        public var files: [String] { [certFile, keyFile] + (clientCAFile.map { [$0] } ?? []) }
    }

    /// `client_auth_type`, with Go's names.
    public enum ClientAuth: String, Sendable, CaseIterable {
        case none = "NoClientCert"
        case request = "RequestClientCert"
        case requireAny = "RequireAnyClientCert"
        case verifyIfGiven = "VerifyClientCertIfGiven"
        case requireAndVerify = "RequireAndVerifyClientCert"
    }

    public enum TLSVersion: String, Sendable, CaseIterable {
        case tls10 = "TLS10", tls11 = "TLS11", tls12 = "TLS12", tls13 = "TLS13"
    }
}
