import Actuators
import App
import Foundation
import Scaling
import Testing

/// The `nodes` section: groups with one provider each, bounds, a template or a node standing for it.
@Suite struct NodeConfigurationTests {
    @Test func groupsOfEachProvider() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surge-nodes-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "pw\n".write(to: dir.appendingPathComponent("pw"), atomically: true, encoding: .utf8)
        try "key\n".write(to: dir.appendingPathComponent("key"), atomically: true, encoding: .utf8)
        let config = try ConfigurationFile.parse("""
            nodes:
              dry_run: true
              scan_interval: 5s
              pending_threshold: 0
              scale_down: {utilization_threshold: 0.6, unneeded_time: 5m, delay_after_add: 2m}
              groups:
                - name: capi
                  cluster_api: {kind: MachinePool, namespace: capi, name: pool-a}
                  max_size: 12
                  boot_time: 4m
                  template: {cpu: 3500m, memory: 15Gi, pods: 58, labels: {pool: a}, taints: [{key: gpu, effect: NoSchedule}]}
                  policies: [web]
                - name: openstack
                  magnum: {auth_url: "https://keystone:5000", user: surge, password_file: \(dir.path)/pw, project: ops, cluster_id: c1}
                  template_node: worker-1
                - name: metal
                  webhook: {url: "https://hooks.example.com/nodes", signing_key_file: \(dir.path)/key, size: 4}
                  min_size: 2
                  template: {cpu: "64", memory: 256Gi}
            """, path: "n.yml")
        #expect(config.nodeScaling.dryRun && config.nodeScaling.scanInterval == .seconds(5) && config.nodeScaling.pendingThresholdSeconds == 0)
        #expect(config.nodeScaling.scaleDown.utilizationThreshold == 0.6 && config.nodeScaling.scaleDown.unneededSeconds == 300
                && config.nodeScaling.scaleDown.delayAfterAddSeconds == 120)
        #expect(config.nodeGroups.map(\.name) == ["capi", "openstack", "metal"])
        let capi = config.nodeGroups[0]
        #expect(capi.provider == .clusterAPI(ClusterAPIGroup(kind: "MachinePool", namespace: "capi", name: "pool-a")))
        #expect(capi.template == NodeTemplate(allocatable: ResourceAmounts(cpuMilli: 3500, memoryBytes: 15 << 30, pods: 58), labels: ["pool": "a"],
                                              taints: [Taint(key: "gpu", effect: .noSchedule)]))
        #expect(capi.maxSize == 12 && capi.minSize == nil && capi.bootSeconds == 240 && capi.policies == ["web"])
        #expect(config.nodeGroups[1].provider == .magnum(MagnumGroup(authURL: "https://keystone:5000", credentials: .password(
            user: "surge", userDomain: "Default", password: "pw", project: "ops", projectDomain: "Default"), clusterID: "c1")))
        #expect(config.nodeGroups[1].templateNode == "worker-1")
        #expect(config.nodeGroups[2].provider == .webhook(WebhookGroup(url: "https://hooks.example.com/nodes", signingKey: Array("key".utf8), size: 4)))
    }

    @Test(arguments: [
        ("nodes:\n  groups:\n    - name: a\n      template: {cpu: \"1\", memory: 1Gi}\n", "n.yml:3: node group a needs exactly one of cluster_api, magnum and webhook"),
        ("nodes:\n  groups:\n    - name: a\n      cluster_api: {namespace: x, name: y}\n", "n.yml:3: node group a needs exactly one of template and template_node"),
        ("nodes:\n  groups:\n    - name: a\n      cluster_api: {namespace: x, name: y, kind: Deployment}\n      template: {cpu: \"1\", memory: 1Gi}\n",
         "n.yml:4: kind must be MachineDeployment, MachineSet or MachinePool"),
        ("nodes:\n  groups:\n    - name: a\n      webhook: {url: ftp://x}\n      template: {cpu: \"1\", memory: 1Gi}\n", "n.yml:4: url must be an http:// or https:// URL"),
        ("nodes:\n  groups:\n    - name: a\n      webhook: {url: \"http://x\"}\n      template: {cpu: lots, memory: 1Gi}\n", "n.yml:5: template cpu must be a quantity"),
        ("nodes:\n  groups:\n    - name: a\n      webhook: {url: \"http://x\"}\n      template: {cpu: \"1\", memory: 1Gi, taints: [{key: k, effect: Never}]}\n",
         "n.yml:5: a taint's effect must be NoSchedule, PreferNoSchedule or NoExecute"),
        ("nodes:\n  groups:\n    - name: a\n      magnum: {auth_url: \"http://k\", user: u, password_file: /nonexistent, project: p, cluster_id: c}\n      template_node: n\n",
         "n.yml:4: cannot read password_file /nonexistent"),
        ("nodes:\n  scale_down: {utilization_threshold: 2}\n", "n.yml:2: utilization_threshold must be a fraction such as 0.5"),
    ])
    func mistakesNameTheLine(text: String, message: String) {
        #expect {
            try ConfigurationFile.parse(text, path: "n.yml")
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }
}
