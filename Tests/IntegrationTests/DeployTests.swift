import App
import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore
import Yams

/// deploy/: the kustomize base and its example overlay, rendered by Debian's kubectl. The manifests
/// carry configurations Surge accepts, the agents run unprivileged with read-only host mounts, and
/// each service account's RBAC covers every API call Surge makes in its role and nothing more:
/// the strict fake API server enforces exactly the rendered Roles and ClusterRoles (resource names
/// included) and reports the grants no request needed.
@Suite(.serialized) struct DeployTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `kubectl kustomize DIR`, as objects.
    static func render(_ directory: String) throws -> [[String: Any]] {
        let result = try runToCompletion(try Kubectl.debian(), ["kustomize", root.appendingPathComponent(directory).path])
        guard result.status == 0 else { throw TestKitError("kubectl kustomize \(directory) failed: \(result.output)") }
        return try Yams.load_all(yaml: result.output).compactMap { $0 as? [String: Any] }
    }

    static func object(_ objects: [[String: Any]], kind: String, name: String) throws -> [String: Any] {
        try #require(objects.first { $0["kind"] as? String == kind && (($0["metadata"] as? [String: Any])?["name"] as? String)?.hasPrefix(name) == true },
                     "\(kind) \(name)")
    }

    /// A generated ConfigMap's one file.
    static func file(_ objects: [[String: Any]], configMap: String, key: String) throws -> String {
        try #require((try object(objects, kind: "ConfigMap", name: configMap)["data"] as? [String: Any])?[key] as? String)
    }

    /// The rules bound to a service account: ClusterRoleBindings cluster-wide, RoleBindings in their namespace.
    static func rules(of account: String, in objects: [[String: Any]]) -> [FakeKubernetesRule] {
        var out: [FakeKubernetesRule] = []
        for binding in objects where ["RoleBinding", "ClusterRoleBinding"].contains(binding["kind"] as? String) {
            let subjects = binding["subjects"] as? [[String: Any]] ?? []
            guard subjects.contains(where: { $0["kind"] as? String == "ServiceAccount" && $0["name"] as? String == account }),
                  let ref = binding["roleRef"] as? [String: Any] else { continue }
            let namespace = (binding["metadata"] as? [String: Any])?["namespace"] as? String
            let role = objects.first {
                $0["kind"] as? String == ref["kind"] as? String && ($0["metadata"] as? [String: Any])?["name"] as? String == ref["name"] as? String
                    && (ref["kind"] as? String == "ClusterRole" || ($0["metadata"] as? [String: Any])?["namespace"] as? String == namespace)
            }
            for rule in role?["rules"] as? [[String: Any]] ?? [] {
                out.append(FakeKubernetesRule(verbs: rule["verbs"] as? [String] ?? [], apiGroups: rule["apiGroups"] as? [String] ?? [],
                                              resources: rule["resources"] as? [String] ?? [],
                                              namespaces: binding["kind"] as? String == "RoleBinding" ? [namespace ?? ""] : nil,
                                              resourceNames: rule["resourceNames"] as? [String]))
            }
        }
        return out
    }

    @Test func theManifestsRenderWithConfigurationsSurgeAccepts() throws {
        for directory in ["deploy/base", "deploy/overlays/example"] {
            let objects = try Self.render(directory)
            let agent = try Self.object(objects, kind: "DaemonSet", name: "surge-agent")
            let pod = try #require((agent["spec"] as? [String: Any]).flatMap { ($0["template"] as? [String: Any])?["spec"] as? [String: Any] })
            let container = try #require((pod["containers"] as? [[String: Any]])?.first)
            let security = container["securityContext"] as? [String: Any] ?? [:]
            #expect(security["privileged"] as? Bool == false && security["allowPrivilegeEscalation"] as? Bool == false)
            let hostPaths = Set((pod["volumes"] as? [[String: Any]] ?? []).filter { $0["hostPath"] != nil }.compactMap { $0["name"] as? String })
            for mount in container["volumeMounts"] as? [[String: Any]] ?? [] where hostPaths.contains(mount["name"] as? String ?? "") {
                // Only the agent's own queue is written on the host.
                #expect(mount["readOnly"] as? Bool == true || mount["name"] as? String == "data", "\(mount)")
            }
            #expect(container["livenessProbe"] != nil && container["readinessProbe"] != nil && container["resources"] != nil)
            let central = try Self.object(objects, kind: "StatefulSet", name: "surge-central")
            #expect((central["spec"] as? [String: Any])?["replicas"] as? Int == 2)
            #expect(((central["spec"] as? [String: Any])?["volumeClaimTemplates"] as? [Any])?.count == 1)

            let agentConfig = try ConfigurationFile.parse(try Self.file(objects, configMap: "surge-agent", key: "surge.yml"), path: "agent/surge.yml",
                                                          checkCredentials: false, environment: ["NODE_NAME": "worker-3"])
            #expect(agentConfig.agent && agentConfig.remoteWriteTargets.map(\.receiver.name) == ["central-0", "central-1"])
            #expect(agentConfig.nodeCollectorTarget.instance == "worker-3")
            #expect(agentConfig.scrapeConfigs.first?.kubernetesSDConfigs.first?.fieldSelector == "spec.nodeName=worker-3")
            let centralConfig = try ConfigurationFile.parse(try Self.file(objects, configMap: "surge-central", key: "surge.yml"), path: "central/surge.yml",
                                                            checkCredentials: false, environment: ["POD_NAME": "surge-central-1"])
            #expect(centralConfig.scalingLeaderElection?.identity == "surge-central-1" && centralConfig.externalLabels == ["cluster": "kubernetes"])
            // The shipped rules pass Surge's own check.
            let rulesDir = try TemporaryDirectory(prefix: "surge-deploy-rules")
            defer { rulesDir.remove() }
            try Self.file(objects, configMap: "surge-rules", key: "surge.rules.yml").write(toFile: rulesDir.path + "/surge.rules.yml", atomically: true, encoding: .utf8)
            let check = try runToCompletion(try SurgeBinary.path(), ["check", "rules", rulesDir.path + "/surge.rules.yml"])
            #expect(check.status == 0, "\(check.output)")
        }
    }

    @Test func onlyTheCentralAccountMayChangeWorkloadsAndOnlyThoseItsPoliciesName() throws {
        let objects = try Self.render("deploy/overlays/example")
        let agent = Self.rules(of: "surge-agent", in: objects)
        #expect(!agent.isEmpty && agent.allSatisfy { Set($0.verbs).isSubset(of: ["get", "list", "watch"]) }, "the agents change nothing")
        let central = Self.rules(of: "surge-central", in: objects)
        let writes = central.filter { !Set($0.verbs).isSubset(of: ["get", "list", "watch"]) }
        for rule in writes where rule.resources.contains(where: { $0.hasSuffix("/scale") }) {
            #expect(rule.resourceNames == ["web"] && rule.namespaces == ["shop"], "\(rule)")
        }
        #expect(central.allSatisfy { $0.namespaces != nil }, "no cluster-wide grant for the central replicas")
    }

    @Test(.timeLimit(.minutes(2)))
    func theCentralAccountCoversEveryCallItMakesAndNothingMore() async throws {
        let objects = try Self.render("deploy/overlays/example")
        let account = FakeKubernetesAccount(token: "central-token", user: "system:serviceaccount:surge:surge-central",
                                            rules: Self.rules(of: "surge-central", in: objects))
        try await FakeKubernetesAPIServer.with(accounts: [account]) { fake in
            ScalingServeTests.addWorkload(to: fake)
            fake.setKEDAInstalled(true)
            let dir = try TemporaryDirectory(prefix: "surge-deploy-central")
            defer { dir.remove() }
            try ScalingServeTests.writeKubeconfig(fake, to: dir.url.appendingPathComponent("kubeconfig"), token: "central-token")
            try FileManager.default.createDirectory(atPath: dir.path + "/policies", withIntermediateDirectories: true)
            // The overlay's policy, deciding every second here.
            try Self.file(objects, configMap: "surge-policies", key: "web.yaml").replacingOccurrences(of: "interval: 15s", with: "interval: 1s")
                .write(toFile: dir.path + "/policies/web.yaml", atomically: true, encoding: .utf8)
            // The shipped configuration with this machine's paths and the fake API server.
            let shipped = try Self.file(objects, configMap: "surge-central", key: "surge.yml")
                .replacingOccurrences(of: "/etc/surge/policies", with: dir.path + "/policies")
                .replacingOccurrences(of: "rule_files: [/etc/surge/rules/*.yml]", with: "")
                .replacingOccurrences(of: "leader_election:", with: "kubernetes: {kubeconfig_file: \(dir.path)/kubeconfig}\n  leader_election:")
            try shipped.write(toFile: dir.path + "/surge.yml", atomically: true, encoding: .utf8)
            let port = try freeLocalPort()
            let surge = try await SurgeBinary.serve(dataDirectory: dir.path + "/data", port: port, logURL: dir.url.appendingPathComponent("surge.log"),
                                                    configPath: dir.path + "/surge.yml", arguments: [], environment: ["POD_NAME": "surge-central-0"])
            defer { surge.signal(SIGKILL) }
            // web's pods report 300 requests per second each: 3 replicas become 9.
            var applied = false
            let deadline = ContinuousClock.now + .seconds(40)
            while !applied && ContinuousClock.now < deadline {
                try await ScalingServeTests.remoteWrite(["web-1", "web-2", "web-3"].map { ("http_requests_per_second", ["namespace": "shop", "pod": $0], 300.0) }, port: port)
                try await Task.sleep(for: .milliseconds(500))
                applied = fake.deployment(namespace: "shop", name: "web")?[path: "spec.replicas"]?.int == 9
                    && !fake.events(namespace: "shop").isEmpty && fake.requests.contains { $0.hasPrefix("PUT /apis/coordination.k8s.io/") }
            }
            #expect(applied, "\(fake.requests.suffix(10))\n\(surge.log.suffix(1500))")
            #expect(!fake.requests.contains { $0.hasSuffix("-> 403") }, "\(fake.requests.filter { $0.hasSuffix("-> 403") })")
            #expect(fake.unusedGrants(token: "central-token").isEmpty, "granted but never needed: \(fake.unusedGrants(token: "central-token")) of \(account.rules)")
        }
    }
}
