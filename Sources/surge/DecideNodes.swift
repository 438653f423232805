import App
import AsyncHTTPClient
import Collectors
import Foundation
import Kubernetes
import Logging
import Scaling
import ScalingRuntime
import TimeSeriesCore

/// `surge decide --nodes CONFIG`: what the node loop would do now, and why, without acting.
enum DecideNodes {
    static func run(configPath: String, kubeconfig: String?) async throws -> String {
        let configuration: SurgeConfiguration
        do { configuration = try ConfigurationFile.load(path: configPath) } catch { throw CLIError("\(error)") }
        guard !configuration.nodeGroups.isEmpty else { throw CLIError("\(configPath): no node groups (nodes.groups) are configured") }
        let credentials: KubernetesCredentials
        do {
            credentials = try kubeconfig.map { try Kubeconfig.credentials(path: $0) }
                ?? (configuration.nodeKubernetes ?? configuration.scalingKubernetes ?? KubernetesSDConfig()).credentials()
        } catch { throw CLIError("cannot reach Kubernetes: \(error)") }
        let client = try KubernetesClient(credentials: credentials, httpClient: .shared)
        var logger = Logger(label: "surge")
        logger.logLevel = .critical
        let service = NodeScalingService(groups: configuration.nodeGroups, provider: SurgeServer.nodeProviders(client: client), client: client,
                                         settings: configuration.nodeScaling, audit: nil, clock: SystemClock(), logger: logger)
        let now = Date()
        let plan: NodeScalingService.ScanPlan?
        do { plan = try await service.plan(now: now) } catch { throw CLIError("cannot read pods or nodes: \(error)") }
        var lines: [String] = []
        if let plan {
            lines.append("\(plan.pending) pods unschedulable for at least \(formatDuration(Int64(configuration.nodeScaling.pendingThresholdSeconds * 1000)))")
            for view in plan.views {
                let bounds = "min \(view.minSize), max \(view.maxSize == .max ? "none" : String(view.maxSize))"
                lines.append("node group \(view.name): \(view.target) nodes (\(bounds)), \(view.booting) booting")
                if let scaleUp = plan.plans.first(where: { $0.group == view.name }) {
                    lines.append("  grow \(scaleUp.from) → \(scaleUp.to)")
                    lines += scaleUp.explanation.map { "    " + $0 }
                } else {
                    lines.append("  no change on pending pods")
                }
            }
            for (group, error) in plan.held.sorted(by: { $0.key < $1.key }) { lines.append("node group \(group): held, its provider cannot be read: \(error)") }
            for (pod, reason) in plan.unplaceable.sorted(by: { $0.key < $1.key }) { lines.append("pod \(pod) fits no group: \(reason)") }
        } else {
            lines.append("no pod is unschedulable: no group grows")
        }
        let report: [(group: String, node: String, utilization: Double, verdict: ScaleDownEligibility.Verdict)]
        do { report = try await service.scaleDownReport(now: now) } catch { throw CLIError("cannot read pods or nodes: \(error)") }
        if !report.isEmpty { lines.append("scale-down (were each node to stay as it is for \(formatDuration(Int64(configuration.nodeScaling.scaleDown.unneededSeconds * 1000)))):") }
        for entry in report {
            let share = String(format: "%.0f%%", entry.utilization * 100)
            switch entry.verdict {
            case .removable: lines.append("  \(entry.group)/\(entry.node): requests \(share) of it; would be drained and removed")
            case .keep(let reason): lines.append("  \(entry.group)/\(entry.node): requests \(share) of it; stays: \(reason)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
