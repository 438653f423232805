import Foundation
import Kubernetes
import SurgeTestKit
import Testing

@Suite struct KubeconfigTests {
    static let caPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    static func config(user: String) -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: prod
        clusters:
        - name: prod-cluster
          cluster:
            server: https://10.0.0.1:6443/
            certificate-authority-data: \(Data(caPEM.utf8).base64EncodedString())
        - name: dev-cluster
          cluster:
            server: http://127.0.0.1:8080
            insecure-skip-tls-verify: true
        contexts:
        - name: prod
          context: {cluster: prod-cluster, user: surge, namespace: monitoring}
        - name: dev
          context: {cluster: dev-cluster, user: dev}
        users:
        - name: surge
          user:
        \(user)
        - name: dev
          user:
            client-certificate: certs/dev.crt
            client-key: /etc/dev.key
        """
    }

    @Test func currentContextWithTokenAndInlineCA() throws {
        let credentials = try Kubeconfig.credentials(yaml: Self.config(user: "    token: abc123"), path: "/home/u/.kube/config")
        #expect(credentials.server == "https://10.0.0.1:6443")
        #expect(credentials.tls.caPEM == Self.caPEM)
        #expect(credentials.namespace == "monitoring")
        #expect(try credentials.authorizationHeader() == "Bearer abc123")
    }

    @Test func namedContextResolvesRelativeFilesFromTheConfigDirectory() throws {
        let credentials = try Kubeconfig.credentials(yaml: Self.config(user: "    token: x"), path: "/home/u/.kube/config", context: "dev")
        #expect(credentials.server == "http://127.0.0.1:8080")
        #expect(credentials.tls.insecureSkipVerify)
        #expect(credentials.tls.certFile == "/home/u/.kube/certs/dev.crt")
        #expect(credentials.tls.keyFile == "/etc/dev.key")
        #expect(try credentials.authorizationHeader() == nil)
    }

    @Test func tokenFileIsReadAtEachRequest() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path + "/token"
        try "first\n".write(toFile: file, atomically: true, encoding: .utf8)
        let credentials = try Kubeconfig.credentials(yaml: Self.config(user: "    tokenFile: \(file)"), path: "/k/config")
        #expect(try credentials.authorizationHeader() == "Bearer first")
        try "second".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try credentials.authorizationHeader() == "Bearer second")
        try FileManager.default.removeItem(atPath: file)
        #expect(throws: KubernetesCredentialsError.self) { try credentials.authorizationHeader() }
    }

    @Test(arguments: [
        ("    auth-provider:\n      name: gcp", "uses an auth-provider, which Kubernetes retired"),
        ("    exec:\n      command: aws", "exec: apiVersion must be one of client.authentication.k8s.io/v1, client.authentication.k8s.io/v1beta1"),
        ("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: aws", "exec: interactiveMode must be specified for client.authentication.k8s.io/v1"),
        ("    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: ''", "exec: command is required"),
        ("    token: x\n", ""),
    ])
    func credentialPluginsAreRefused(user: String, message: String) throws {
        if message.isEmpty {
            #expect(throws: Never.self) { try Kubeconfig.credentials(yaml: Self.config(user: user), path: "/k") }
            return
        }
        let error = #expect(throws: KubernetesCredentialsError.self) { try Kubeconfig.credentials(yaml: Self.config(user: user), path: "/k") }
        #expect(error?.message.contains(message) == true)
    }

    @Test func missingPiecesAreNamed() throws {
        let missingContext = #expect(throws: KubernetesCredentialsError.self) {
            try Kubeconfig.credentials(yaml: Self.config(user: "    token: x"), path: "/k", context: "staging")
        }
        #expect(missingContext?.message == "kubeconfig /k: no context named \"staging\" in contexts")
        let noCurrent = #expect(throws: KubernetesCredentialsError.self) {
            try Kubeconfig.credentials(yaml: "apiVersion: v1\nclusters: []\n", path: "/k")
        }
        #expect(noCurrent?.message == "kubeconfig /k: no current-context, and no context was named")
    }

    @Test func inClusterCredentials() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try "token-1".write(toFile: directory.path + "/token", atomically: true, encoding: .utf8)
        try "surge-system\n".write(toFile: directory.path + "/namespace", atomically: true, encoding: .utf8)
        let credentials = try KubernetesCredentials.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"], directory: directory.path)
        #expect(credentials.server == "https://[fd00::1]:443")
        #expect(credentials.tls.caFile == directory.path + "/ca.crt")
        #expect(credentials.namespace == "surge-system")
        #expect(try credentials.authorizationHeader() == "Bearer token-1")
        #expect(throws: KubernetesCredentialsError.self) { try KubernetesCredentials.inCluster(environment: [:], directory: directory.path) }
    }
}
