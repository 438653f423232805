import AsyncHTTPClient
import Foundation
import Kubernetes
import Logging
import NIOSSL
import SurgeTestKit
import Testing

@Suite struct PodWatchTests {
    /// Runs a PodWatch over the fake while `body` arranges pods; returns what the watch last reported.
    static func watching(account: FakeKubernetesAccount = KubernetesClientTests.reader,
                         _ body: @Sendable (FakeKubernetesAPIServer, SharedValue<[String]?>) async throws -> Void) async throws {
        try await FakeKubernetesAPIServer.with(accounts: [account]) { fake in
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let client = try KubernetesClient(credentials: KubernetesCredentials(server: fake.url, token: "reader-token"), httpClient: http)
            let seen = SharedValue<[String]?>(nil)
            let logger = { var logger = Logger(label: "test"); logger.logLevel = .critical; return logger }()
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        await PodWatch(client: client, namespace: "shop").run(logger: logger) { pods in
                            seen.update { $0 = pods.map { "\($0.metadata.name ?? "")@\($0.status?.podIP ?? "-")" }.sorted() }
                        }
                    }
                    try await body(fake, seen)
                    group.cancelAll()
                    fake.closeWatches()
                }
            } catch {
                try? await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
    }

    @Test func followsChangesAcrossWatchEndsAndExpiredVersions() async throws {
        try await Self.watching { fake, seen in
            fake.addPod(FakeKubernetesAPIServer.pod(name: "a", namespace: "shop", ip: "10.0.0.1", containers: []))
            try await waitUntil { seen.value == ["a@10.0.0.1"] }
            fake.addPod(FakeKubernetesAPIServer.pod(name: "b", namespace: "shop", ip: nil, containers: []))
            try await waitUntil { seen.value == ["a@10.0.0.1", "b@-"] }

            // The server ends the watch: the next one continues from the last version, no new list.
            fake.closeWatches()
            fake.updatePod(namespace: "shop", name: "b") { $0["status"]?["podIP"] = "10.0.0.2" }
            try await waitUntil { seen.value == ["a@10.0.0.1", "b@10.0.0.2"] }
            #expect(fake.requests.filter { $0.hasPrefix("GET /api/v1/namespaces/shop/pods") && !$0.contains("watch=true") }.count == 1)

            // History compacted while no watch was open: the watch gets 410 and the pods are listed again.
            try await waitUntil { fake.openWatches == 1 }
            fake.expireHistory()
            fake.closeWatches()
            fake.deletePod(namespace: "shop", name: "a")
            try await waitUntil { seen.value == ["b@10.0.0.2"] }
            let lists = fake.requests.filter { !$0.contains("watch=true") && $0.hasPrefix("GET /api/v1/namespaces/shop/pods") }
            #expect(lists.count == 2)
        }
    }

    @Test func recoversOnceRBACAllowsIt() async throws {
        let denied = FakeKubernetesAccount(token: "reader-token", user: "system:serviceaccount:monitoring:surge", rules: [])
        try await Self.watching(account: denied) { fake, seen in
            fake.addPod(FakeKubernetesAPIServer.pod(name: "a", namespace: "shop", containers: []))
            try await waitUntil { fake.requests.contains { $0.hasSuffix("-> 403") } }
            #expect(seen.value == nil)
            fake.setAccount(KubernetesClientTests.reader)
            try await waitUntil(timeout: .seconds(15)) { seen.value == ["a@10.0.0.1"] }
        }
    }
}

@Suite struct KubernetesTLSTests {
    @Test func verifiesTheServerAgainstTheConfiguredCA() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certificates = try TestCertificates(in: directory.path)
        let server = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.serverCertFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.serverKeyFile, format: .pem)))
        try await FakeKubernetesAPIServer.with(accounts: [KubernetesClientTests.reader], tls: server) { fake in
            #expect(fake.url.hasPrefix("https://"))
            fake.addPod(FakeKubernetesAPIServer.pod(name: "a", namespace: "shop", containers: []))
            // A failed handshake is retried until the connect timeout; keep that short here.
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(timeout: .init(connect: .seconds(1))))
            let kubeconfig = """
                apiVersion: v1
                current-context: test
                clusters:
                - name: c
                  cluster: {server: "\(fake.url)", certificate-authority-data: \(Data(certificates.caPEM.utf8).base64EncodedString())}
                contexts:
                - name: test
                  context: {cluster: c, user: u}
                users:
                - name: u
                  user: {token: reader-token}
                """
            let trusted = try KubernetesClient(credentials: try Kubeconfig.credentials(yaml: kubeconfig, path: "/k"), httpClient: http)
            #expect(try await trusted.listPods(namespace: "shop").items.count == 1)

            let untrusted = try KubernetesClient(credentials: KubernetesCredentials(server: fake.url, token: "reader-token"), httpClient: http)
            await #expect(throws: (any Error).self) { _ = try await untrusted.listPods(namespace: "shop") }

            let skipping = try KubernetesClient(
                credentials: KubernetesCredentials(server: fake.url, tls: TLSSettings(insecureSkipVerify: true), token: "reader-token"), httpClient: http)
            #expect(try await skipping.listPods(namespace: "shop").items.count == 1)

            let broken = #expect(throws: TLSSettingsError.self) {
                _ = try KubernetesClient(credentials: KubernetesCredentials(server: fake.url, tls: TLSSettings(caFile: "/nonexistent/ca.crt")), httpClient: http)
            }
            #expect(broken?.message == "unable to read CA certificate file /nonexistent/ca.crt")
            try await http.shutdown()
        }
    }
}
