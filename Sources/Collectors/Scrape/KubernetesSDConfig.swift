import Foundation
import Kubernetes

/// `kubernetes_sd_configs` with role pod: which API server (a kubeconfig file, `api_server` with its
/// own credentials, or the in-cluster service account), which namespaces, and which pods by label
/// and field selector.
public struct KubernetesSDConfig: Sendable, Equatable {
    public var apiServer: String?
    public var kubeconfigFile: String?
    /// Empty: every namespace, with one cluster-wide watch.
    public var namespaces: [String] = []
    public var ownNamespace = false
    public var labelSelector: String?
    public var fieldSelector: String?
    /// For `api_server`: a bearer token (inline or file) or basic auth.
    public var authorization: ScrapeAuthorization?
    public var tls = TLSSettings()

    public init() {}

    /// Credentials for the API server, read now (kubeconfig, service account files).
    public func credentials(inClusterDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount") throws(KubernetesCredentialsError) -> KubernetesCredentials {
        if let kubeconfigFile { return try Kubeconfig.credentials(path: kubeconfigFile) }
        guard let apiServer else { return try KubernetesCredentials.inCluster(directory: inClusterDirectory) }
        var credentials = KubernetesCredentials(server: apiServer, tls: tls)
        switch authorization {
        case .basic(let username, let password, let passwordFile)?:
            let secret = passwordFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? password ?? ""
            credentials.basicAuth = (username, secret.trimmingCharacters(in: .whitespacesAndNewlines))
        case .credentials(_, let value, let file)?:
            credentials.token = value
            credentials.tokenFile = file
        case nil:
            break
        }
        return credentials
    }

    /// The namespaces to watch: nil for all of them at once.
    public func watchedNamespaces(own: String?) -> [String?] {
        var names = namespaces
        if ownNamespace, let own, !names.contains(own) { names.append(own) }
        return names.isEmpty ? [nil] : names
    }
}
