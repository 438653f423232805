import Foundation

/// Where the API server is and how to prove who we are: a bearer token (inline or a file read at
/// each request, as projected service-account tokens rotate), basic auth, or a client certificate in
/// the TLS settings.
public struct KubernetesCredentials: Sendable, Equatable {
    public var server: String
    public var tls: TLSSettings
    public var token: String?
    public var tokenFile: String?
    public var basicAuth: (username: String, password: String)? {
        get { username.map { ($0, password ?? "") } }
        set { username = newValue?.username; password = newValue?.password }
    }
    private var username: String?
    private var password: String?
    /// The namespace the context or service account names, for `own_namespace`.
    public var namespace: String?
    /// A kubeconfig's exec credential plugin, whose token wins over the other credentials.
    public var exec: ExecCredentialSource?

    public init(server: String, tls: TLSSettings = TLSSettings(), token: String? = nil, tokenFile: String? = nil, namespace: String? = nil) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.tls = tls
        self.token = token
        self.tokenFile = tokenFile
        self.namespace = namespace
    }

    /// The `Authorization` header value: the exec plugin's token (run when it has none or it
    /// expired), else as `authorizationHeader()`.
    public func authorization() async throws -> String? {
        if let exec { return "Bearer " + (try await exec.token()) }
        return try authorizationHeader()
    }

    /// The `Authorization` header value, reading the token file now.
    public func authorizationHeader() throws(KubernetesCredentialsError) -> String? {
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw KubernetesCredentialsError(message: "unable to read the token file \(tokenFile)")
            }
            return "Bearer " + text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let token { return "Bearer " + token }
        if let username {
            return "Basic " + Data("\(username):\(password ?? "")".utf8).base64EncodedString()
        }
        return nil
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.server == rhs.server && lhs.tls == rhs.tls && lhs.token == rhs.token && lhs.tokenFile == rhs.tokenFile
            && lhs.username == rhs.username && lhs.password == rhs.password && lhs.namespace == rhs.namespace
            && lhs.exec?.plugin == rhs.exec?.plugin
    }

    /// The service account a pod runs as: the API server from `KUBERNETES_SERVICE_HOST` and
    /// `KUBERNETES_SERVICE_PORT`, the token, CA and namespace from the mounted secret directory.
    public static func inCluster(environment: [String: String] = ProcessInfo.processInfo.environment,
                                 directory: String = "/var/run/secrets/kubernetes.io/serviceaccount") throws(KubernetesCredentialsError) -> Self {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw KubernetesCredentialsError(message: "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set; give api_server or kubeconfig_file")
        }
        let tokenFile = directory + "/token"
        guard FileManager.default.isReadableFile(atPath: tokenFile) else {
            throw KubernetesCredentialsError(message: "unable to read the service account token \(tokenFile)")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let namespace = (try? String(contentsOfFile: directory + "/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return KubernetesCredentials(server: "https://\(hostPart):\(port)", tls: TLSSettings(caFile: directory + "/ca.crt"),
                                     tokenFile: tokenFile, namespace: namespace)
    }
}

public struct KubernetesCredentialsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
