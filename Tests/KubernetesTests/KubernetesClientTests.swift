import AsyncHTTPClient
import Foundation
@testable import Kubernetes
import SurgeTestKit
import Testing

/// The client against the strict fake API server: paths, Status errors, RBAC, resourceVersion
/// conflicts and patches.
@Suite struct KubernetesClientTests {
    static let reader = FakeKubernetesAccount(
        token: "reader-token", user: "system:serviceaccount:monitoring:surge",
        rules: [FakeKubernetesRule(verbs: ["get", "list", "watch"], resources: ["pods"])])
    static let scaler = FakeKubernetesAccount(
        token: "scaler-token", user: "system:serviceaccount:surge:controller",
        rules: [FakeKubernetesRule(verbs: ["get", "update", "patch"], apiGroups: ["apps"], resources: ["deployments/scale"], namespaces: ["shop"])])

    static func withClient<T: Sendable>(token: String?, _ body: (KubernetesClient, FakeKubernetesAPIServer) async throws -> T) async throws -> T {
        try await FakeKubernetesAPIServer.with(accounts: [reader, scaler]) { fake in
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let client = try KubernetesClient(credentials: KubernetesCredentials(server: fake.url, token: token), httpClient: http)
                let result = try await body(client, fake)
                try await http.shutdown()
                return result
            } catch {
                try? await http.shutdown()
                throw error
            }
        }
    }

    @Test func listsPodsWithSelectorsAcrossAndWithinNamespaces() async throws {
        try await Self.withClient(token: "reader-token") { client, fake in
            fake.addPod(FakeKubernetesAPIServer.pod(name: "web-1", namespace: "shop", labels: ["app": "web"], containers: [FakeKubernetesAPIServer.container("web")]))
            fake.addPod(FakeKubernetesAPIServer.pod(name: "db-1", namespace: "shop", node: "node-2", labels: ["app": "db"], containers: []))
            fake.addPod(FakeKubernetesAPIServer.pod(name: "web-1", namespace: "other", labels: ["app": "web"], containers: []))
            let all = try await client.listPods(namespace: nil)
            #expect(all.items.map(\.key).sorted() == ["other/web-1", "shop/db-1", "shop/web-1"])
            #expect(all.metadata?.resourceVersion == String(fake.resourceVersion))
            let shop = try await client.listPods(namespace: "shop", labelSelector: "app in (web, api)")
            #expect(shop.items.map(\.key) == ["shop/web-1"])
            #expect(shop.items.first?.spec?.containers?.first?.image == "example/app:1.0")
            let onNode = try await client.listPods(namespace: nil, fieldSelector: "spec.nodeName=node-2")
            #expect(onNode.items.map(\.key) == ["shop/db-1"])
            let badField = await #expect(throws: KubernetesError.self) { try await client.listPods(namespace: nil, fieldSelector: "spec.image=x") }
            #expect(badField?.statusCode == 400)
            #expect(badField?.status?.message == "field label not supported: spec.image")
        }
    }

    @Test func errorsCarryTheAPIStatus() async throws {
        try await Self.withClient(token: "reader-token") { client, fake in
            let missing = await #expect(throws: KubernetesError.self) { let _: Pod = try await client.get("/api/v1/namespaces/shop/pods/nope") }
            #expect(missing?.statusCode == 404)
            #expect(missing?.reason == "NotFound")
            #expect(missing?.status?.message == "pods \"nope\" not found")
            let unknown = await #expect(throws: KubernetesError.self) { let _: Pod = try await client.get("/api/v1/namespaces/shop/pod/nope") }
            #expect(unknown?.status?.message == "the server could not find the requested resource")
            let forbidden = await #expect(throws: KubernetesError.self) {
                _ = try await client.scale(of: ScaleTarget(resource: "deployments", namespace: "shop", name: "web"))
            }
            #expect(forbidden?.statusCode == 403)
            #expect(forbidden?.status?.message
                == "deployments.apps \"web\" is forbidden: User \"system:serviceaccount:monitoring:surge\" cannot get resource \"deployments/scale\" in API group \"apps\" in the namespace \"shop\"")
            #expect(fake.requests.contains("GET /apis/apps/v1/namespaces/shop/deployments/web/scale -> 403"))
        }
        try await Self.withClient(token: "wrong") { client, _ in
            let error = await #expect(throws: KubernetesError.self) { _ = try await client.listPods(namespace: nil) }
            #expect(error?.statusCode == 401)
            #expect(error?.reason == "Unauthorized")
        }
        try await Self.withClient(token: "scaler-token") { client, _ in
            // Bound in "shop" only: listing across namespaces is a cluster-scope request.
            let error = await #expect(throws: KubernetesError.self) { _ = try await client.listPods(namespace: nil) }
            #expect(error?.status?.message
                == "pods is forbidden: User \"system:serviceaccount:surge:controller\" cannot list resource \"pods\" in API group \"\" at the cluster scope")
        }
    }

    @Test func scaleSubresourceUpdatesWithConflictsAndPatches() async throws {
        try await Self.withClient(token: "scaler-token") { client, fake in
            fake.addDeployment(namespace: "shop", name: "web", replicas: 3, matchLabels: ["app": "web", "tier": "front"])
            let target = ScaleTarget(apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web")!
            var scale = try await client.scale(of: target)
            #expect(scale.spec.replicas == 3)
            #expect(scale.status?.selector == "app=web,tier=front")
            let version = scale.metadata.resourceVersion

            scale.spec.replicas = 5
            let updated = try await client.updateScale(of: target, to: scale)
            #expect(updated.spec.replicas == 5)
            #expect(updated.metadata.resourceVersion != version)
            #expect(fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"] == .int(5))

            // The same, now stale, version again: refused, and nothing changes.
            scale.spec.replicas = 9
            let conflict = await #expect(throws: KubernetesError.self) { _ = try await client.updateScale(of: target, to: scale) }
            #expect(conflict?.isConflict == true)
            #expect(conflict?.status?.message
                == "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again")
            #expect(fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"] == .int(5))

            let patched = try await client.patchReplicas(of: target, to: 7)
            #expect(patched.spec.replicas == 7)
            let invalid = await #expect(throws: KubernetesError.self) { _ = try await client.patchReplicas(of: target, to: -1) }
            #expect(invalid?.statusCode == 422)
            #expect(invalid?.status?.message == "Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0")
            let absent = await #expect(throws: KubernetesError.self) {
                _ = try await client.scale(of: ScaleTarget(resource: "deployments", namespace: "shop", name: "api"))
            }
            #expect(absent?.status?.message == "deployments.apps \"api\" not found")
        }
    }

    @Test func watchReplaysFromAVersionAndStreamsChanges() async throws {
        try await Self.withClient(token: "reader-token") { client, fake in
            fake.addPod(FakeKubernetesAPIServer.pod(name: "a", namespace: "shop", containers: []))
            let version = try await client.listPods(namespace: "shop").metadata?.resourceVersion
            fake.addPod(FakeKubernetesAPIServer.pod(name: "b", namespace: "shop", containers: []))
            fake.updatePod(namespace: "shop", name: "a") { $0["status"]?["podIP"] = "10.0.0.9" }
            let seen = SharedValue<[String]>([])
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await client.watchPods(namespace: "shop", resourceVersion: version, timeoutSeconds: 30) { event in
                        let text: String = switch event {
                        case .added(let pod): "ADDED \(pod.metadata.name!)"
                        case .modified(let pod): "MODIFIED \(pod.metadata.name!) \(pod.status?.podIP ?? "")"
                        case .deleted(let pod): "DELETED \(pod.metadata.name!)"
                        case .bookmark: "BOOKMARK"
                        case .error(let status): "ERROR \(status.code ?? 0)"
                        }
                        seen.update { $0.append(text) }
                    }
                }
                try await waitUntil { seen.value.count == 2 }
                fake.deletePod(namespace: "shop", name: "b")
                fake.addPod(FakeKubernetesAPIServer.pod(name: "c", namespace: "elsewhere", containers: []))
                try await waitUntil { seen.value.count == 3 }
                fake.closeWatches()
                try await group.waitForAll()
            }
            #expect(seen.value == ["ADDED b", "MODIFIED a 10.0.0.9", "DELETED b"])

            fake.expireHistory()
            let expired = SharedValue<[KubernetesStatus]>([])
            try await client.watchPods(namespace: "shop", resourceVersion: version) { event in
                if case .error(let status) = event { expired.update { $0.append(status) } }
            }
            #expect(expired.value.map(\.code) == [410])
            #expect(expired.value.first?.reason == "Expired")
        }
    }
}

