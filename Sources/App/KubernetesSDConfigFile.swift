import Collectors
import Kubernetes
import YAMLFiles
import Yams

/// Reads `kubernetes_sd_configs` and `tls_config` in Prometheus' shape. Credentials are checked when
/// the file is read (kubeconfig readable, in-cluster service account present, CA and key files
/// usable), so a configuration that cannot work fails at start-up with its file and line.
extension ConfigurationFile {
    static func readKubernetesSDConfigs(_ node: Node, path: String, checkCredentials: Bool = true) throws -> [KubernetesSDConfig] {
        func fail(_ node: Node, _ message: String) -> Error {
            Error(path: path, line: node.mark.map { $0.line }, message: message)
        }
        guard let list = node.sequence else { throw fail(node, "kubernetes_sd_configs must be a list") }
        return try list.map { entry in
            let fields = try mapping(entry, path: path, allowed: [
                "role", "api_server", "kubeconfig_file", "namespaces", "selectors", "tls_config", "basic_auth", "authorization",
                "bearer_token", "bearer_token_file", "attach_metadata",
            ])
            guard let roleNode = fields["role"], let role = roleNode.string else { throw fail(entry, "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)") }
            guard role == "pod" else {
                if ["service", "endpoints", "endpointslice", "node", "ingress"].contains(role) {
                    throw fail(roleNode, "role \(role) is not supported yet; Surge discovers pods")
                }
                throw fail(roleNode, "unknown Kubernetes SD role \"\(role)\"")
            }
            if let attach = fields["attach_metadata"] { throw fail(attach, "attach_metadata is not supported yet") }
            var config = try readKubernetesConnection(fields, entry: entry, path: path)
            if let namespaces = fields["namespaces"] {
                let parts = try mapping(namespaces, path: path, allowed: ["names", "own_namespace"])
                config.namespaces = parts["names"]?.sequence?.compactMap(\.string) ?? []
                config.ownNamespace = parts["own_namespace"]?.bool ?? false
            }
            if let selectors = fields["selectors"] {
                guard let list = selectors.sequence else { throw fail(selectors, "selectors must be a list") }
                for selector in list {
                    let parts = try mapping(selector, path: path, allowed: ["role", "label", "field"])
                    guard parts["role"]?.string == "pod" else {
                        throw fail(selector, "pod role supports only pod selectors")
                    }
                    if config.labelSelector != nil || config.fieldSelector != nil {
                        throw fail(selector, "pod role supports only one pod selector")
                    }
                    config.labelSelector = parts["label"]?.string
                    config.fieldSelector = parts["field"]?.string
                }
            }
            if checkCredentials { try checkKubernetesCredentials(config, entry: entry, path: path) }
            return config
        }
    }

    /// The API server connection: `api_server` with `tls_config` and a bearer token or basic auth,
    /// `kubeconfig_file`, or neither for the in-cluster service account.
    /// The keys of a connection to the API server (scaling, kube-state, node groups).
    static let kubernetesConnectionKeys: Set<String> = [
        "api_server", "kubeconfig_file", "tls_config", "basic_auth", "authorization", "bearer_token", "bearer_token_file",
    ]

    static func readKubernetesConnection(_ fields: [String: Node], entry: Node, path: String) throws -> KubernetesSDConfig {
        func fail(_ node: Node, _ message: String) -> Error {
            Error(path: path, line: node.mark.map { $0.line }, message: message)
        }
        var config = KubernetesSDConfig()
        config.apiServer = fields["api_server"]?.string
        config.kubeconfigFile = fields["kubeconfig_file"]?.string
        if config.apiServer != nil && config.kubeconfigFile != nil {
            throw fail(fields["kubeconfig_file"]!, "cannot use 'kubeconfig_file' and 'api_server' simultaneously")
        }
        config.authorization = try readAuthorization(fields, path: path)
        if let tls = fields["tls_config"] { config.tls = try readTLSSettings(tls, path: path) }
        if config.kubeconfigFile != nil, config.authorization != nil || fields["tls_config"] != nil {
            throw fail(entry, "cannot use custom HTTP client options with 'kubeconfig_file'")
        }
        if config.apiServer == nil, config.kubeconfigFile == nil, config.authorization != nil || fields["tls_config"] != nil {
            throw fail(entry, "to use custom HTTP client configuration please provide the 'api_server' URL explicitly")
        }
        if let api = config.apiServer, !(api.hasPrefix("http://") || api.hasPrefix("https://")) {
            throw fail(fields["api_server"]!, "api_server must be an http:// or https:// URL")
        }
        return config
    }

    /// Reads the credentials now, so one that cannot work stops start-up with its file and line.
    static func checkKubernetesCredentials(_ config: KubernetesSDConfig, entry: Node, path: String) throws {
        do {
            let credentials = try config.credentials()
            if credentials.server.hasPrefix("https://") { _ = try credentials.tls.makeConfiguration() }
        } catch {
            throw Error(path: path, line: entry.mark.map { $0.line }, message: "\(error)")
        }
    }

    /// `collectors.kubelet`: `url`, `bearer_token_file`, `tls_config`, `refresh_interval`.
    static func readKubeletConfig(_ node: Node, path: String) throws -> KubeletConfig {
        let fields = try mapping(node, path: path, allowed: ["url", "bearer_token_file", "tls_config", "refresh_interval"])
        guard let url = fields["url"]?.string, url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw Error(path: path, line: (fields["url"] ?? node).mark.map { $0.line }, message: "kubelet url must be an http:// or https:// URL")
        }
        var config = KubeletConfig(url: url, tokenFile: fields["bearer_token_file"]?.string)
        if let tls = fields["tls_config"] { config.tls = try readTLSSettings(tls, path: path) }
        if let n = fields["refresh_interval"] {
            guard let value = duration(n) else {
                throw Error(path: path, line: n.mark.map { $0.line }, message: "refresh_interval must be a duration such as 30s")
            }
            config.refreshInterval = .milliseconds(value)
        }
        return config
    }

    /// `tls_config`: `ca_file`, `cert_file`, `key_file`, `insecure_skip_verify`, or the inline `ca`,
    /// `cert`, `key`. The files must be usable now.
    /// `resolve` turns the file names into the paths read.
    static func readTLSSettings(_ node: Node, path: String, resolve: (String) -> String = { $0 }) throws -> TLSSettings {
        func fail(_ node: Node, _ message: String) -> Error {
            Error(path: path, line: node.mark.map { $0.line }, message: message)
        }
        let fields = try mapping(node, path: path, allowed: [
            "ca", "ca_file", "cert", "cert_file", "key", "key_file", "insecure_skip_verify", "server_name", "min_version",
        ])
        for key in ["server_name", "min_version"] {
            if let value = fields[key] { throw fail(value, "tls_config \(key) is not supported yet") }
        }
        for (inline, file) in [("ca", "ca_file"), ("cert", "cert_file"), ("key", "key_file")] where fields[inline] != nil && fields[file] != nil {
            throw fail(node, "at most one of \(inline) and \(file) must be configured")
        }
        let settings = TLSSettings(caFile: fields["ca_file"]?.string.map(resolve), caPEM: fields["ca"]?.string,
                                   certFile: fields["cert_file"]?.string.map(resolve), certPEM: fields["cert"]?.string,
                                   keyFile: fields["key_file"]?.string.map(resolve), keyPEM: fields["key"]?.string,
                                   insecureSkipVerify: fields["insecure_skip_verify"]?.bool ?? false)
        do {
            _ = try settings.makeConfiguration()
        } catch {
            throw fail(node, error.message)
        }
        return settings
    }
}
