import Actuators
import Alerting
import AsyncHTTPClient
import Foundation
import Kubernetes
import Scaling
import ScalingRuntime
import SurgeTestKit
import Testing

/// The three node providers against strict fakes: Cluster API through the fake API server, Magnum
/// behind a fake Keystone, and a signed webhook.
@Suite struct NodeProviderTests {
    static let template = NodeTemplate(allocatable: ResourceAmounts(cpuMilli: 4000, memoryBytes: 16 << 30, pods: 8))
    static let machineDeployments = FakeResource(group: "cluster.x-k8s.io", version: "v1beta1", plural: "machinedeployments",
                                                 kind: "MachineDeployment", scalable: true)
    static let machines = FakeResource(group: "cluster.x-k8s.io", version: "v1beta1", plural: "machines", kind: "Machine")
    static let capiAccount = FakeKubernetesAccount(token: "capi", user: "system:serviceaccount:surge:surge", rules: [
        FakeKubernetesRule(verbs: ["get"], apiGroups: ["cluster.x-k8s.io"], resources: ["machinedeployments"], namespaces: ["capi"]),
        FakeKubernetesRule(verbs: ["get", "update", "patch"], apiGroups: ["cluster.x-k8s.io"], resources: ["machinedeployments/scale"], namespaces: ["capi"]),
        FakeKubernetesRule(verbs: ["list", "patch"], apiGroups: ["cluster.x-k8s.io"], resources: ["machines"], namespaces: ["capi"]),
    ])

    @Test func clusterAPIScalesThroughTheScaleSubresourceAndMarksMachinesFirst() async throws {
        try await FakeKubernetesAPIServer.with(accounts: [Self.capiAccount]) { fake in
            fake.installCustomResource(Self.machineDeployments)
            fake.installCustomResource(Self.machines)
            fake.add("machinedeployments", namespace: "capi", [
                "metadata": ["name": "workers", "annotations": ["cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size": "1",
                                                                "cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size": "6"]],
                "spec": ["replicas": 3],
            ])
            for index in 1...3 {
                fake.add("machines", namespace: "capi", [
                    "metadata": ["name": .string("workers-abc-\(index)"), "labels": ["cluster.x-k8s.io/deployment-name": "workers"]],
                    "status": ["nodeRef": ["name": .string("node-\(index)")]],
                ])
            }
            let client = try KubernetesClient(credentials: KubernetesCredentials(server: fake.url, token: "capi"), httpClient: .shared)
            let provider = ClusterAPIProvider(client: client, now: { Date(timeIntervalSince1970: 1_800_000_000) })
            let group = NodeGroup(name: "workers", provider: .clusterAPI(ClusterAPIGroup(namespace: "capi", name: "workers")), template: Self.template)
            #expect(try await provider.size(of: group) == NodeGroupSize(target: 3, minSize: 1, maxSize: 6))

            let up = await provider.resize(group, from: 3, to: 5, removing: [])
            #expect(up == .accepted("MachineDeployment capi/workers scale set to 5"))
            #expect(fake.object(Self.machineDeployments, namespace: "capi", name: "workers")?[path: "spec.replicas"]?.int == 5)

            let down = await provider.resize(group, from: 5, to: 4, removing: ["node-2"])
            guard case .accepted = down else { Issue.record("\(down)"); return }
            let marked = fake.object(Self.machines, namespace: "capi", name: "workers-abc-2")
            #expect(marked?[path: "metadata.annotations"]?["cluster.x-k8s.io/delete-machine"]?.string == "2027-01-15T08:00:00Z")
            #expect(fake.object(Self.machines, namespace: "capi", name: "workers-abc-1")?[path: "metadata.annotations"] == nil)
            #expect(fake.object(Self.machineDeployments, namespace: "capi", name: "workers")?[path: "spec.replicas"]?.int == 4)

            let unknown = await provider.resize(group, from: 4, to: 3, removing: ["node-9"])
            #expect(unknown == .refused("no Machine of MachineDeployment capi/workers runs node node-9"))
            // RBAC: another namespace's group is refused, not retried.
            let elsewhere = NodeGroup(name: "x", provider: .clusterAPI(ClusterAPIGroup(namespace: "other", name: "workers")), template: Self.template)
            guard case .refused(let message) = await provider.resize(elsewhere, from: 1, to: 2, removing: []) else { Issue.record("not refused"); return }
            #expect(message.hasPrefix("403"))
        }
    }

    @Test func magnumResizesWithAKeystoneTokenFromTheCatalogue() async throws {
        try await FakeOpenStack.with(tokenLifetime: 3600, groups: ["default-worker": .init(nodeCount: 3, minNodeCount: 1, maxNodeCount: 10)]) { openstack in
            let provider = MagnumProvider()
            let group = NodeGroup(name: "workers", provider: .magnum(MagnumGroup(
                authURL: openstack.authURL, credentials: .password(user: "surge", userDomain: "Default", password: "s3cret", project: "platform", projectDomain: "Default"),
                clusterID: openstack.clusterID)), template: Self.template)
            let size = try await provider.size(of: group)
            #expect(size == NodeGroupSize(target: 3, minSize: 1, maxSize: 10))
            let answer = await provider.resize(group, from: 3, to: 5, removing: [])
            guard case .accepted = answer else { Issue.record("\(answer)"); return }
            #expect(openstack.group("default-worker")?.nodeCount == 5)
            let running = try await provider.clusterStatus(of: group).status
            #expect(running == "UPDATE_IN_PROGRESS")
            // A second resize while one runs: Magnum's 409 is a refusal, to be tried after it completes.
            guard case .refused(let busy) = await provider.resize(group, from: 5, to: 6, removing: []) else { Issue.record("not refused"); return }
            #expect(busy.hasPrefix("409"))
            openstack.finishResize()
            let complete = try await provider.clusterStatus(of: group).status
            #expect(complete == "UPDATE_COMPLETE")
            let down = await provider.resize(group, from: 5, to: 4, removing: ["openstack:///4a1c-server"])
            guard case .accepted = down else { Issue.record("\(down)"); return }
            #expect(openstack.resizeRequests.last?["nodes_to_remove"] == ["4a1c-server"])
            #expect(openstack.resizeRequests.last?["nodegroup"] == "default-worker")
            #expect(openstack.tokensIssued == 1, "one token for every request while it is valid")
            // Revoked tokens: the 401 issues a new one and the request goes through.
            openstack.expireTokens()
            let after = try await provider.size(of: group).target
            #expect(after == 4)
            #expect(openstack.tokensIssued == 2)
            openstack.failNext(503)
            guard case .unavailable(let down503) = await provider.resize(group, from: 4, to: 4, removing: []) else { Issue.record("not unavailable"); return }
            #expect(down503.hasPrefix("503"))
            // Outside the node group's bounds: Magnum's 400 is a refusal.
            openstack.finishResize()
            guard case .refused(let bounds) = await provider.resize(group, from: 4, to: 11, removing: []) else { Issue.record("not refused"); return }
            #expect(bounds.hasPrefix("400"))
        }
    }

    @Test func keystoneTokensAreIssuedAgainBeforeTheyExpire() async throws {
        try await FakeOpenStack.with(tokenLifetime: 200, groups: ["ng": .init(nodeCount: 2, minNodeCount: 0, maxNodeCount: nil)]) { openstack in
            let provider = MagnumProvider()
            let group = NodeGroup(name: "g", provider: .magnum(MagnumGroup(authURL: openstack.authURL + "/v3/",
                credentials: .applicationCredential(id: "ac-1", secret: "ac-secret"), clusterID: openstack.clusterID, nodeGroup: "ng")), template: Self.template)
            _ = try await provider.size(of: group)
            _ = try await provider.size(of: group)
            #expect(openstack.tokensIssued == 2, "a token expiring within five minutes is not used")
            let wrong = NodeGroup(name: "g", provider: .magnum(MagnumGroup(authURL: openstack.authURL,
                credentials: .applicationCredential(id: "ac-1", secret: "wrong"), clusterID: openstack.clusterID, nodeGroup: "ng")), template: Self.template)
            let error = await #expect(throws: NodeProviderError.self) { try await MagnumProvider().size(of: wrong) }
            #expect(error?.description.hasPrefix("Keystone refused the credentials: 401") == true)
        }
    }

    @Test func webhookRequestsAreSignedAndAnswersSorted() async throws {
        let key = Array("hook-key".utf8)
        try await WebhookCapture.with(failFirst: 1) { capture, url in
            let provider = WebhookNodeProvider(now: { Date(timeIntervalSince1970: 1_800_000_000) })
            let group = NodeGroup(name: "rack-7", provider: .webhook(WebhookGroup(url: url + "/resize", signingKey: key, size: 4)), template: Self.template)
            #expect(try await provider.size(of: group).target == 4)
            guard case .unavailable(let first) = await provider.resize(group, from: 4, to: 6, removing: []) else { Issue.record("not unavailable"); return }
            #expect(first.hasPrefix("503"))
            #expect(await provider.resize(group, from: 4, to: 3, removing: ["bm-12"]) == .accepted("200"))
            let body = try #require(capture.bodies.last)
            #expect(body == #"{"current":4,"desired":3,"group":"rack-7","nodesToRemove":["bm-12"],"time":"2027-01-15T08:00:00Z"}"#)
            #expect(WebhookSignature.verify(capture.headers.last?["x-surge-signature-256"] ?? "", body: Array(body.utf8), key: key))
            #expect(try await provider.size(of: group).target == 3, "the size the accepted request set")
        }
    }
}

/// A node standing for a group's template.
@Suite struct NodeTemplateFromNodeTests {
    @Test func theNodesAllocatableLabelsAndTaintsBecomeTheTemplate() throws {
        let node = try JSONDecoder().decode(KubernetesNode.self, from: Data("""
            {"metadata": {"name": "worker-1", "labels": {"kubernetes.io/hostname": "worker-1", "pool": "a"}},
             "spec": {"taints": [{"key": "gpu", "value": "true", "effect": "NoSchedule"}]},
             "status": {"allocatable": {"cpu": "3920m", "memory": "15Gi", "pods": "110"}}}
            """.utf8))
        var group = NodeGroup(name: "g", provider: .webhook(WebhookGroup(url: "http://x")), template: NodeTemplate(allocatable: .zero))
        group.templateNode = "worker-1"
        let resolved = NodeScalingService.resolve([group], nodes: [node])[0].template
        #expect(resolved == NodeTemplate(allocatable: ResourceAmounts(cpuMilli: 3920, memoryBytes: 15 << 30, pods: 110), labels: ["pool": "a"],
                                         taints: [Taint(key: "gpu", value: "true", effect: .noSchedule)]))
        #expect(NodeScalingService.resolve([group], nodes: [])[0].template == NodeTemplate(allocatable: .zero), "a missing node leaves the group as it was")
    }
}
