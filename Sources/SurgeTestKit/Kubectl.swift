import Foundation

/// Debian's kubectl (package `kubernetes-client`), run against the fake API server with a kubeconfig
/// of its own. scripts/install-deps installs the package, or unpacks it under .build-tools when
/// another package owns /usr/bin/kubectl.
public struct Kubectl: Sendable {
    public let executable: String
    let kubeconfig: String
    let cacheDirectory: String

    /// Locates Debian's kubectl: $SURGE_KUBECTL, the unpacked package under .build-tools, or
    /// /usr/bin/kubectl when dpkg says kubernetes-client owns it.
    public static func debian(testFile: String = #filePath) throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["SURGE_KUBECTL"] { return explicit }
        let unpacked = packageRoot(testFile: testFile).appendingPathComponent(".build-tools/kubernetes-client/usr/bin/kubectl").path
        if FileManager.default.isExecutableFile(atPath: unpacked) { return unpacked }
        if let owner = try? runToCompletion("/usr/bin/dpkg-query", ["-S", "/usr/bin/kubectl"]), owner.status == 0,
           owner.output.hasPrefix("kubernetes-client:") {
            return "/usr/bin/kubectl"
        }
        throw TestKitError("Debian's kubectl (kubernetes-client) was not found; scripts/install-deps installs it")
    }

    /// A kubectl speaking to `server` (https, trusting `caFile`: kubectl sends bearer tokens only over
    /// TLS) with the bearer `token`, its kubeconfig and discovery cache in `directory`.
    public init(server: String, caFile: String, token: String, namespace: String = "default", directory: URL,
                testFile: String = #filePath) throws {
        executable = try Self.debian(testFile: testFile)
        let file = directory.appendingPathComponent("kubectl-\(token).kubeconfig")
        try """
            apiVersion: v1
            kind: Config
            current-context: fake
            clusters: [{name: fake, cluster: {server: "\(server)", certificate-authority: "\(caFile)"}}]
            contexts: [{name: fake, context: {cluster: fake, user: user, namespace: \(namespace)}}]
            users: [{name: user, user: {token: "\(token)"}}]
            """.write(to: file, atomically: true, encoding: .utf8)
        kubeconfig = file.path
        cacheDirectory = directory.appendingPathComponent("kubectl-cache-\(token)").path
    }

    /// Runs `kubectl ARGUMENTS` to completion; its exit status and its output and errors together.
    public func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runToCompletion(executable, ["--kubeconfig", kubeconfig, "--cache-dir", cacheDirectory, "--request-timeout", "20s"] + arguments)
    }
}
