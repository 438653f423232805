import Foundation
import NIOSSL
import SurgeTestKit
import Testing

/// Debian's real kubectl against the strict fake API server: discovery, server-side tables, the
/// scale subresource (of a Deployment and of a custom resource) and Leases, and the API's refusals
/// as kubectl prints them. What kubectl accepts here, Surge's client can rely on.
@Suite(.serialized) struct KubectlTests {
    static let webApps = FakeResource(group: "example.com", version: "v1", plural: "webapps", kind: "WebApp", shortNames: ["wa"], scalable: true)

    static let operator_ = FakeKubernetesAccount(
        token: "operator-token", user: "operator",
        rules: [FakeKubernetesRule(verbs: ["get", "list"], apiGroups: ["apps"], resources: ["deployments"], namespaces: ["shop"]),
                FakeKubernetesRule(verbs: ["get", "patch", "update"], apiGroups: ["apps"], resources: ["deployments/scale"], namespaces: ["shop"]),
                FakeKubernetesRule(verbs: ["get", "list"], apiGroups: ["example.com"], resources: ["webapps", "webapps/scale"], namespaces: ["shop"]),
                FakeKubernetesRule(verbs: ["patch"], apiGroups: ["example.com"], resources: ["webapps/scale"], namespaces: ["shop"]),
                FakeKubernetesRule(verbs: ["get", "list"], apiGroups: ["coordination.k8s.io"], resources: ["leases"], namespaces: ["surge"])])
    static let viewer = FakeKubernetesAccount(
        token: "viewer-token", user: "viewer",
        rules: [FakeKubernetesRule(verbs: ["get", "list"], apiGroups: ["apps"], resources: ["deployments"], namespaces: ["shop"])])

    @Test(.timeLimit(.minutes(2)))
    func kubectlGetsScalesAndReadsLeasesFromTheFake() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-kubectl")
        defer { dir.remove() }
        let certificates = try TestCertificates(in: dir.path)
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.serverCertFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.serverKeyFile, format: .pem)))
        try await FakeKubernetesAPIServer.with(accounts: [Self.operator_, Self.viewer], tls: tls) { fake in
            fake.addDeployment(namespace: "shop", name: "web", replicas: 2, matchLabels: ["app": "web"])
            fake.installCustomResource(Self.webApps)
            fake.addCustomObject(Self.webApps, namespace: "shop", name: "storefront", replicas: 1, selector: "app=storefront")
            fake.addLease(namespace: "surge", name: "surge-scaling", holder: "surge-0_1234")
            let kubectl = try Kubectl(server: fake.url, caFile: certificates.caFile, token: "operator-token", namespace: "shop", directory: dir.url)

            // `get` through discovery ("deploy" is a short name discovery gives) and a server-side table.
            var run = try kubectl.run(["get", "deploy", "web"])
            #expect(run.status == 0, "\(run.output)\n\(fake.requests)")
            let lines = run.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(lines.first == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], "\(run.output)")
            #expect(lines.dropFirst().first?.prefix(2) == ["web", "0/2"], "\(run.output)")
            run = try kubectl.run(["get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"])
            #expect(run.status == 0 && run.output == "2", "\(run.output)")

            // `scale` finds the scale subresource through discovery and patches it.
            run = try kubectl.run(["scale", "deployment", "web", "--replicas=5"])
            #expect(run.status == 0 && run.output.contains("deployment.apps/web scaled"), "\(run.output)\n\(fake.requests)")
            #expect(fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int == 5)
            #expect(fake.requests.contains { $0.hasPrefix("PATCH /apis/apps/v1/namespaces/shop/deployments/web/scale") && $0.hasSuffix("-> 200") },
                    "\(fake.requests)")

            // The same for a custom resource with a scale subresource, by its short name.
            run = try kubectl.run(["get", "wa"])
            #expect(run.status == 0 && run.output.contains("storefront"), "\(run.output)")
            run = try kubectl.run(["scale", "webapp", "storefront", "--replicas=4"])
            #expect(run.status == 0 && run.output.contains("webapp.example.com/storefront scaled"), "\(run.output)\n\(fake.requests)")
            #expect(fake.object(Self.webApps, namespace: "shop", name: "storefront")?[path: "spec.replicas"]?.int == 4)

            // `get lease`: the holder column.
            run = try kubectl.run(["get", "lease", "-n", "surge"])
            #expect(run.status == 0, "\(run.output)")
            let lease = run.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(lease.first == ["NAME", "HOLDER", "AGE"] && lease.dropFirst().first?.prefix(2) == ["surge-scaling", "surge-0_1234"], "\(run.output)")

            // Refusals as kubectl prints the API's Status.
            run = try kubectl.run(["get", "deployment", "gone"])
            #expect(run.status != 0 && run.output.contains(#"Error from server (NotFound): deployments.apps "gone" not found"#), "\(run.output) \(fake.requests.suffix(3))")
            let viewer = try Kubectl(server: fake.url, caFile: certificates.caFile, token: "viewer-token", namespace: "shop", directory: dir.url)
            run = try viewer.run(["scale", "deployment", "web", "--replicas=1"])
            #expect(run.status != 0 && run.output.contains(#"Error from server (Forbidden): deployments.apps "web" is forbidden: User "viewer" cannot patch resource "deployments/scale" in API group "apps" in the namespace "shop""#),
                    "\(run.output)")
            #expect(fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int == 5)
            let stranger = try Kubectl(server: fake.url, caFile: certificates.caFile, token: "no-such-token", directory: dir.url)
            run = try stranger.run(["get", "deployment", "web", "-n", "shop"])
            #expect(run.status != 0 && run.output.contains("Unauthorized"), "\(run.output)")
        }
    }
}
