import App
import Foundation
import Testing
import Yams

/// The manifests in deploy/ carry a configuration Surge accepts.
@Suite struct DeployManifestTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func collectorDaemonSetConfigurationParses() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("deploy/collector-daemonset.yaml"), encoding: .utf8)
        let documents = try Array(Yams.load_all(yaml: text))
        let configMap = try #require(documents.compactMap { $0 as? [String: Any] }.first { $0["kind"] as? String == "ConfigMap" })
        let surgeYAML = try #require((configMap["data"] as? [String: Any])?["surge.yml"] as? String)
        // What the init container does on each node.
        let config = try ConfigurationFile.parse(surgeYAML.replacingOccurrences(of: "NODE_NAME", with: "node-1"),
                                                 path: "surge.yml", checkCredentials: false)
        #expect(config.kubelet?.url == "https://127.0.0.1:10250")
        #expect(config.procPath == "/host/proc")
        let pods = try #require(config.scrapeConfigs.first)
        #expect(pods.kubernetesSDConfigs.first?.fieldSelector == "spec.nodeName=node-1")
        #expect(pods.relabelConfigs.count == 6)
    }
}
