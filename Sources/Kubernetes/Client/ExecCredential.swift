import Foundation
import Synchronization

/// A kubeconfig `exec` credential plugin (client.authentication.k8s.io v1 or v1beta1), as `aws eks
/// get-token`, `gke-gcloud-auth-plugin` and `kubelogin` are: run with the configured args and env,
/// `KUBERNETES_EXEC_INFO` describing the request, never interactively (Surge has no terminal); its
/// ExecCredential's token is used until its `expirationTimestamp`, or until the API server answers
/// 401.
public struct ExecCredentialPlugin: Sendable, Equatable {
    public enum InteractiveMode: String, Sendable { case never = "Never", ifAvailable = "IfAvailable", always = "Always" }

    public static let versions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]

    public var apiVersion: String
    /// A bare name is looked up in PATH; a path with a slash is taken from the kubeconfig's directory.
    public var command: String
    public var args: [String] = []
    public var env: [String: String] = [:]
    public var interactiveMode: InteractiveMode
    public var installHint: String?
    /// The cluster's server and CA, passed in `KUBERNETES_EXEC_INFO` when `provideClusterInfo` is set.
    public var clusterInfo: [String: String]?

    public init(apiVersion: String, command: String, interactiveMode: InteractiveMode) {
        self.apiVersion = apiVersion
        self.command = command
        self.interactiveMode = interactiveMode
    }

    /// What the plugin reads from `KUBERNETES_EXEC_INFO`.
    var execInfo: String {
        var spec: [String: Any] = ["interactive": false]
        if let clusterInfo { spec["cluster"] = clusterInfo }
        let object: [String: Any] = ["apiVersion": apiVersion, "kind": "ExecCredential", "spec": spec]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The token of the plugin's answer and until when it holds (nil: until the server refuses it).
    static func token(from output: Data, apiVersion: String) throws(KubernetesCredentialsError) -> (token: String, expiry: Date?) {
        func fail(_ message: String) -> KubernetesCredentialsError { KubernetesCredentialsError(message: "exec credential plugin: \(message)") }
        guard let object = (try? JSONSerialization.jsonObject(with: output)) as? [String: Any] else {
            throw fail("its output is not an ExecCredential JSON object: \(String(decoding: output.prefix(200), as: UTF8.self))")
        }
        guard object["kind"] as? String == "ExecCredential" else { throw fail("its output is not of kind ExecCredential") }
        guard let version = object["apiVersion"] as? String, version == apiVersion else {
            throw fail("the plugin is configured to use API version \(apiVersion), but it returned \(object["apiVersion"] as? String ?? "none")")
        }
        guard let status = object["status"] as? [String: Any] else { throw fail("its ExecCredential has no status") }
        if status["clientCertificateData"] != nil || status["clientKeyData"] != nil, status["token"] == nil {
            throw fail("it returned a client certificate; Surge takes tokens from exec plugins only")
        }
        guard let token = status["token"] as? String, !token.isEmpty else { throw fail("its ExecCredential has no token") }
        var expiry: Date?
        if let text = status["expirationTimestamp"] as? String {
            guard let date = ISO8601DateFormatter().date(from: text) else { throw fail("expirationTimestamp \(text) is not an RFC 3339 time") }
            expiry = date
        }
        return (token, expiry)
    }
}

/// Runs a plugin when its last token is missing or expired, one run at a time, and keeps the token.
public final class ExecCredentialSource: Sendable {
    public let plugin: ExecCredentialPlugin
    let directory: String
    let timeout: Duration
    private let cached = Mutex<(token: String, expiry: Date?)?>(nil)
    /// Runs of the plugin since start, for tests and diagnostics.
    private let runCount = Mutex(0)

    public init(plugin: ExecCredentialPlugin, directory: String, timeout: Duration = .seconds(60)) {
        self.plugin = plugin
        self.directory = directory
        self.timeout = timeout
    }

    public var runs: Int { runCount.withLock { $0 } }

    /// Forgets the token, as after a 401: the next request runs the plugin again.
    public func invalidate() { cached.withLock { $0 = nil } }

    public func token(now: Date = Date()) async throws -> String {
        if let current = cached.withLock({ $0 }), current.expiry.map({ $0 > now }) ?? true { return current.token }
        let output = try await run()
        let fresh = try ExecCredentialPlugin.token(from: output, apiVersion: plugin.apiVersion)
        cached.withLock { $0 = fresh }
        return fresh.token
    }

    private func run() async throws -> Data {
        func fail(_ message: String) -> KubernetesCredentialsError {
            KubernetesCredentialsError(message: "exec credential plugin \(plugin.command): \(message)" + (plugin.installHint.map { "\n\($0)" } ?? ""))
        }
        if plugin.interactiveMode == .always {
            throw fail("interactiveMode is Always, but Surge runs without a terminal; set it to Never or IfAvailable")
        }
        let process = Process()
        if plugin.command.contains("/") {
            process.executableURL = URL(fileURLWithPath: plugin.command.hasPrefix("/") ? plugin.command : directory + "/" + plugin.command)
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        }
        process.arguments = plugin.command.contains("/") ? plugin.args : [plugin.command] + plugin.args
        var environment = ProcessInfo.processInfo.environment
        environment.merge(plugin.env) { $1 }
        environment["KUBERNETES_EXEC_INFO"] = plugin.execInfo
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        runCount.withLock { $0 += 1 }
        do { try process.run() } catch { throw fail("cannot be started: \(error.localizedDescription)") }
        // The plugin leads its own process group (Foundation starts children so): stopping the group
        // also stops whatever it started that still holds the pipes.
        let group = process.processIdentifier
        let watchdog = Task { [timeout] in
            try await Task.sleep(for: timeout)
            if process.isRunning { kill(-group, SIGKILL) }
        }
        // Blocking reads run on threads of their own, never on the tasks' pool, while it runs, so a
        // large answer cannot fill a pipe and stall it.
        async let answer = Self.readToEnd(output)
        async let complaint = Self.readToEnd(errors)
        let (stdout, stderr) = await (answer, complaint)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                process.waitUntilExit()
                done.resume()
            }
        }
        watchdog.cancel()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let reason = process.terminationReason == .uncaughtSignal ? "was stopped after \(timeout)" : "exited with status \(process.terminationStatus)"
            throw fail("\(reason): \(String(decoding: stderr.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return stdout
    }

    private static func readToEnd(_ pipe: Pipe) async -> Data {
        await withCheckedContinuation { done in
            DispatchQueue.global().async { done.resume(returning: pipe.fileHandleForReading.readDataToEndOfFile()) }
        }
    }
}
