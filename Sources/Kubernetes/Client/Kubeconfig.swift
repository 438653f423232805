import Foundation
import Yams

/// Reads a kubeconfig file (`kubectl`'s format) into credentials for one context: the current one
/// unless named. Relative file paths are taken from the file's own directory, as kubectl does.
/// `exec` credential plugins run as client-go runs them; the retired `auth-provider` is refused with a
/// clear message rather than ignored.
public enum Kubeconfig {
    public static func credentials(path: String, context wanted: String? = nil) throws(KubernetesCredentialsError) -> KubernetesCredentials {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw KubernetesCredentialsError(message: "unable to read kubeconfig \(path)")
        }
        return try credentials(yaml: text, path: path, context: wanted)
    }

    public static func credentials(yaml text: String, path: String, context wanted: String? = nil) throws(KubernetesCredentialsError) -> KubernetesCredentials {
        func fail(_ message: String) -> KubernetesCredentialsError {
            KubernetesCredentialsError(message: "kubeconfig \(path): \(message)")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw fail("the file is empty") }
            root = node
        } catch let error as KubernetesCredentialsError {
            throw error
        } catch {
            throw fail("not valid YAML: \(error)")
        }
        func named(_ list: String, _ name: String, field: String) throws(KubernetesCredentialsError) -> Node {
            for entry in root[list]?.sequence ?? [] where entry["name"]?.string == name {
                guard let value = entry[field] else { throw fail("\(list) entry \"\(name)\" has no \(field)") }
                return value
            }
            throw fail("no \(field) named \"\(name)\" in \(list)")
        }
        guard let contextName = wanted ?? root["current-context"]?.string, !contextName.isEmpty else {
            throw fail("no current-context, and no context was named")
        }
        let context = try named("contexts", contextName, field: "context")
        guard let clusterName = context["cluster"]?.string else { throw fail("context \"\(contextName)\" names no cluster") }
        let cluster = try named("clusters", clusterName, field: "cluster")
        guard let server = cluster["server"]?.string, !server.isEmpty else { throw fail("cluster \"\(clusterName)\" has no server") }

        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        func file(_ node: Node?) -> String? {
            guard let value = node?.string, !value.isEmpty else { return nil }
            return value.hasPrefix("/") ? value : directory + "/" + value
        }
        func data(_ node: Node?, _ field: String) throws(KubernetesCredentialsError) -> String? {
            guard let value = node?.string else { return nil }
            guard let decoded = Data(base64Encoded: value, options: .ignoreUnknownCharacters), let pem = String(data: decoded, encoding: .utf8) else {
                throw fail("\(field) is not base64-encoded PEM")
            }
            return pem
        }
        var tls = TLSSettings(caFile: file(cluster["certificate-authority"]),
                              caPEM: try data(cluster["certificate-authority-data"], "certificate-authority-data"),
                              insecureSkipVerify: cluster["insecure-skip-tls-verify"]?.bool ?? false)
        var credentials = KubernetesCredentials(server: server, tls: tls, namespace: context["namespace"]?.string)
        if let userName = context["user"]?.string, !userName.isEmpty {
            let user = try named("users", userName, field: "user")
            if user["auth-provider"] != nil {
                throw fail("user \"\(userName)\" uses an auth-provider, which Kubernetes retired; use its exec credential plugin, a token, tokenFile or client certificate")
            }
            if let exec = user["exec"] {
                var plugin = try execPlugin(exec, user: userName, path: path)
                if exec["provideClusterInfo"]?.bool == true {
                    var info = ["server": server]
                    if let ca = cluster["certificate-authority-data"]?.string { info["certificate-authority-data"] = ca }
                    if cluster["insecure-skip-tls-verify"]?.bool == true { info["insecure-skip-tls-verify"] = "true" }
                    plugin.clusterInfo = info
                }
                credentials.exec = ExecCredentialSource(plugin: plugin, directory: directory)
            }
            tls.certFile = file(user["client-certificate"])
            tls.certPEM = try data(user["client-certificate-data"], "client-certificate-data")
            tls.keyFile = file(user["client-key"])
            tls.keyPEM = try data(user["client-key-data"], "client-key-data")
            credentials.tls = tls
            credentials.token = user["token"]?.string
            credentials.tokenFile = file(user["tokenFile"])
            if let username = user["username"]?.string {
                credentials.basicAuth = (username, user["password"]?.string ?? "")
            }
        }
        return credentials
    }

    /// A user's `exec` section: apiVersion (v1 or v1beta1), command, args, env, interactiveMode
    /// (required by v1, IfAvailable by default in v1beta1), installHint.
    static func execPlugin(_ node: Node, user: String, path: String) throws(KubernetesCredentialsError) -> ExecCredentialPlugin {
        func fail(_ message: String) -> KubernetesCredentialsError {
            KubernetesCredentialsError(message: "kubeconfig \(path): user \"\(user)\": exec: \(message)")
        }
        guard let apiVersion = node["apiVersion"]?.string, ExecCredentialPlugin.versions.contains(apiVersion) else {
            throw fail("apiVersion must be one of \(ExecCredentialPlugin.versions.joined(separator: ", "))")
        }
        guard let command = node["command"]?.string, !command.isEmpty else { throw fail("command is required") }
        let mode: ExecCredentialPlugin.InteractiveMode
        if let text = node["interactiveMode"]?.string {
            guard let value = ExecCredentialPlugin.InteractiveMode(rawValue: text) else { throw fail("interactiveMode must be Never, IfAvailable or Always") }
            mode = value
        } else if apiVersion.hasSuffix("/v1") {
            throw fail("interactiveMode must be specified for \(apiVersion)")
        } else {
            mode = .ifAvailable
        }
        var plugin = ExecCredentialPlugin(apiVersion: apiVersion, command: command, interactiveMode: mode)
        plugin.args = (node["args"]?.sequence ?? []).compactMap(\.string)
        for entry in node["env"]?.sequence ?? [] {
            guard let name = entry["name"]?.string, !name.isEmpty else { throw fail("every env entry needs a name") }
            plugin.env[name] = entry["value"]?.string ?? ""
        }
        plugin.installHint = node["installHint"]?.string
        return plugin
    }
}
