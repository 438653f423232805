import AsyncHTTPClient
import Foundation
@testable import Kubernetes
import SurgeTestKit
import Testing

/// kubeconfig exec credential plugins, as EKS, GKE and AKS kubeconfigs use them: the plugin runs with
/// its args, env and KUBERNETES_EXEC_INFO, its token is kept until it expires or is refused.
@Suite struct ExecCredentialTests {
    static let account = FakeKubernetesAccount(token: "token-1", user: "eks:surge", rules: [FakeKubernetesRule(verbs: ["list"], resources: ["pods"])])

    /// A plugin script that logs each run and its environment, and answers with the token in `token`
    /// valid until `expiry`.
    static func plugin(in dir: TemporaryDirectory, apiVersion: String = "client.authentication.k8s.io/v1", expiry: String) throws -> String {
        let script = dir.url.appendingPathComponent("bin/get-token")
        try FileManager.default.createDirectory(at: script.deletingLastPathComponent(), withIntermediateDirectories: true)
        try """
            #!/bin/sh
            echo "$@ region=$AWS_REGION info=$KUBERNETES_EXEC_INFO" >> "\(dir.path)/runs"
            printf '{"apiVersion":"\(apiVersion)","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"\(expiry)"}}' "$(cat \(dir.path)/token)"
            """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return script.path
    }

    static func kubeconfig(server: String, exec: String) -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: eks
        clusters:
        - name: eks
          cluster: {server: "\(server)"}
        contexts:
        - name: eks
          context: {cluster: eks, user: eks-user}
        users:
        - name: eks-user
          user:
            exec:
        \(exec)
        """
    }

    @Test func theTokenIsFetchedOnceUntilItExpiresOrIsRefused() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-exec")
        defer { dir.remove() }
        try "token-1".write(toFile: dir.path + "/token", atomically: true, encoding: .utf8)
        _ = try Self.plugin(in: dir, expiry: "2999-01-01T00:00:00Z")
        try await FakeKubernetesAPIServer.with(accounts: [Self.account]) { fake in
            try Self.kubeconfig(server: fake.url, exec: """
                      apiVersion: client.authentication.k8s.io/v1
                      command: ./bin/get-token
                      args: [token, -i, prod]
                      env: [{name: AWS_REGION, value: eu-west-1}]
                      interactiveMode: IfAvailable
                      provideClusterInfo: true
                """).write(toFile: dir.path + "/config", atomically: true, encoding: .utf8)
            let credentials = try Kubeconfig.credentials(path: dir.path + "/config")
            let client = try KubernetesClient(credentials: credentials, httpClient: HTTPClient.shared)
            _ = try await client.listPods(namespace: nil)
            _ = try await client.listPods(namespace: nil)
            #expect(credentials.exec?.runs == 1, "a token valid until 2999 is kept")
            let runs = try String(contentsOfFile: dir.path + "/runs", encoding: .utf8)
            #expect(runs.hasPrefix("token -i prod region=eu-west-1 info="))
            #expect(runs.contains(#""kind":"ExecCredential""#) && runs.contains(#""interactive":false"#) && runs.contains(#""server":"\#(fake.url)""#))

            // The server stops taking it: the 401 is the caller's, the next request runs the plugin anew.
            fake.removeAccount(token: "token-1")
            fake.setAccount(FakeKubernetesAccount(token: "token-2", user: "eks:surge", rules: Self.account.rules))
            try "token-2".write(toFile: dir.path + "/token", atomically: true, encoding: .utf8)
            let refused = await #expect(throws: KubernetesError.self) { try await client.listPods(namespace: nil) }
            #expect(refused?.statusCode == 401)
            _ = try await client.listPods(namespace: nil)
            #expect(credentials.exec?.runs == 2)
        }
    }

    @Test func anExpiredTokenIsFetchedAgain() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-exec")
        defer { dir.remove() }
        try "t".write(toFile: dir.path + "/token", atomically: true, encoding: .utf8)
        let script = try Self.plugin(in: dir, apiVersion: "client.authentication.k8s.io/v1beta1", expiry: "2026-01-01T00:00:00Z")
        var plugin = ExecCredentialPlugin(apiVersion: "client.authentication.k8s.io/v1beta1", command: script, interactiveMode: .ifAvailable)
        plugin.args = ["x"]
        let source = ExecCredentialSource(plugin: plugin, directory: dir.path)
        #expect(try await source.token(now: Date(timeIntervalSince1970: 1_700_000_000)) == "t")
        #expect(try await source.token(now: Date(timeIntervalSince1970: 1_700_000_000)) == "t")
        #expect(source.runs == 1)
        #expect(try await source.token(now: Date(timeIntervalSince1970: 1_800_000_000)) == "t")
        #expect(source.runs == 2, "expired on 2026-01-01")
    }

    @Test(arguments: [
        (#"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"x"}}"#,
         "the plugin is configured to use API version client.authentication.k8s.io/v1, but it returned client.authentication.k8s.io/v1beta1"),
        (#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}"#, "its ExecCredential has no token"),
        (#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"a","clientKeyData":"b"}}"#,
         "Surge takes tokens from exec plugins only"),
        (#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"x","expirationTimestamp":"soon"}}"#,
         "expirationTimestamp soon is not an RFC 3339 time"),
        ("not json", "its output is not an ExecCredential JSON object"),
    ])
    func badAnswersAreNamed(output: String, message: String) {
        let error = #expect(throws: KubernetesCredentialsError.self) {
            try ExecCredentialPlugin.token(from: Data(output.utf8), apiVersion: "client.authentication.k8s.io/v1")
        }
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test func failingHangingAndInteractivePluginsAreNamed() async throws {
        var failing = ExecCredentialPlugin(apiVersion: "client.authentication.k8s.io/v1", command: "sh", interactiveMode: .never)
        failing.args = ["-c", "echo 'token expired; run aws sso login' >&2; exit 3"]
        failing.installHint = "Install the AWS CLI."
        let failed = await #expect(throws: KubernetesCredentialsError.self) { try await ExecCredentialSource(plugin: failing, directory: "/").token() }
        #expect(failed?.message == "exec credential plugin sh: exited with status 3: token expired; run aws sso login\nInstall the AWS CLI.")
        var hanging = failing
        hanging.args = ["-c", "sleep 30"]
        let stopped = await #expect(throws: KubernetesCredentialsError.self) {
            try await ExecCredentialSource(plugin: hanging, directory: "/", timeout: .milliseconds(300)).token()
        }
        #expect(stopped?.message.contains("was stopped after") == true)
        let interactive = ExecCredentialPlugin(apiVersion: "client.authentication.k8s.io/v1", command: "sh", interactiveMode: .always)
        let refused = await #expect(throws: KubernetesCredentialsError.self) { try await ExecCredentialSource(plugin: interactive, directory: "/").token() }
        #expect(refused?.message.contains("interactiveMode is Always") == true)
    }
}
