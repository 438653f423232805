import Actuators
import Foundation
import Kubernetes
import Logging
import Scaling

/// What the node loop remembers between scans for scale-down: since when each node has been under
/// the threshold, when each group last grew, and the node being drained in each group.
struct NodeDrainState: Sendable {
    var underSince: [String: Date] = [:]
    var lastScaleUp: [String: Date] = [:]
    /// Group → node being drained (cordoned, its pods being evicted).
    var draining: [String: String] = [:]
    /// Nodes a dry run has already reported, so the audit says it once.
    var reported: Set<String> = []
    /// Groups whose provider is failing, since when.
    var outages: [String: Date] = [:]
    /// Magnum groups with a resize under way: followed until the cluster's status settles.
    var resizing: [String: Date] = [:]
}

extension NodeScalingService {
    /// Scale-down, as Cluster Autoscaler's: a group's node that has been under the utilization
    /// threshold long enough, whose pods may all move and fit on the group's other ready nodes, is
    /// cordoned, its pods evicted through the Eviction API (a PodDisruptionBudget's 429 means wait
    /// for the next scan), and then removed through the provider, one node per group at a time.
    func scaleDown(groups grown: Set<String>, now: Date, state: inout NodeDrainState) async throws {
        let nodes: KubernetesNodeList = try await client.get("/api/v1/nodes")
        let pods: PodList = try await client.get("/api/v1/pods")
        let budgets: [PodDisruptionBudget] = ((try? await client.get("/apis/policy/v1/poddisruptionbudgets")) as PodDisruptionBudgetList?)?.items ?? []
        let groups = Self.resolve(groups, nodes: nodes.items)
        for group in groups where !grown.contains(group.name) {
            let members = nodes.items.filter { node in group.template.labels.allSatisfy { node.metadata.labels?[$0.key] == $0.value } }
            if let draining = state.draining[group.name] {
                guard let node = members.first(where: { $0.metadata.name == draining }) else {
                    state.draining[group.name] = nil
                    continue
                }
                try await drain(node, of: group, pods: pods.items, now: now, state: &state)
                continue
            }
            let ready = members.filter { node in
                node.spec?.unschedulable != true && node.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
            }
            let size: NodeGroupSize
            do { size = try await provider(group).size(of: group) } catch { continue }
            let states = ready.map { node in nodeState(node, of: group, pods: pods.items, budgets: budgets) }
            for node in states {
                if node.utilization < settings.scaleDown.utilizationThreshold {
                    if state.underSince[node.name] == nil { state.underSince[node.name] = now }
                } else {
                    state.underSince[node.name] = nil
                }
            }
            for var node in states {
                node.underutilizedSince = state.underSince[node.name]
                guard case .removable = ScaleDownEligibility.verdict(node, now: now, lastScaleUp: state.lastScaleUp[group.name], groupSize: size.target,
                                                                     groupMinimum: group.minSize ?? size.minSize ?? 0, settings: settings.scaleDown) else { continue }
                // Its movable pods must fit on the group's other ready nodes.
                let others = states.filter { $0.name != node.name }.map { group.template.room(after: $0.pods.map(\.requests)) }
                let moving = node.pods.filter { $0.controllerKind != "DaemonSet" && !$0.isMirror }
                    .map { PendingPod(name: "\($0.namespace)/\($0.name)", requests: $0.requests) }
                guard NodePacking.pack(moving, onto: group.template, room: others, maxNewNodes: 0).unplaceable.isEmpty else { continue }
                var decision = AuditEntry(time: now, kind: .decision, nodeGroup: group.name)
                (decision.currentReplicas, decision.desiredReplicas) = (size.target, size.target - 1)
                decision.drivenBy = "underutilized node"
                decision.explanation = [String(format: "Node %@ has had its requests under %.0f%% of it for %.0f minutes; its %d pods fit on the group's other nodes.",
                                               node.name, settings.scaleDown.utilizationThreshold * 100,
                                               now.timeIntervalSince(node.underutilizedSince ?? now) / 60, moving.count)]
                if settings.dryRun {
                    guard state.reported.insert(node.name).inserted else { break }
                    audit?.record(decision)
                    var action = AuditEntry(time: now, kind: .action, nodeGroup: group.name)
                    (action.from, action.to, action.outcome, action.message) = (size.target, size.target - 1, "dryRun", "would drain and remove \(node.name)")
                    audit?.record(action)
                    break
                }
                audit?.record(decision)
                try await client.cordon(node: node.name)
                logger.notice("node scaling: draining an underutilized node", metadata: ["group": "\(group.name)", "node": "\(node.name)"])
                state.draining[group.name] = node.name
                if let kubernetesNode = members.first(where: { $0.metadata.name == node.name }) {
                    try await drain(kubernetesNode, of: group, pods: pods.items, now: now, state: &state)
                }
                break
            }
        }
    }

    /// Evicts what is left on a cordoned node; once nothing that must move is left, removes the node.
    func drain(_ node: KubernetesNode, of group: NodeGroup, pods: [Pod], now: Date, state: inout NodeDrainState) async throws {
        let name = node.metadata.name ?? ""
        var waiting = 0
        for pod in pods where pod.spec?.nodeName == name && Self.mustMove(pod) {
            do {
                try await client.evict(namespace: pod.metadata.namespace ?? "default", pod: pod.metadata.name ?? "")
            } catch let error as KubernetesError where error.statusCode == 429 {
                waiting += 1
                logger.info("node scaling: an eviction waits for its PodDisruptionBudget", metadata: ["node": "\(name)", "pod": "\(pod.key)"])
            } catch let error as KubernetesError where error.statusCode == 404 {
                continue
            }
        }
        guard waiting == 0 else { return }
        let size = try await provider(group).size(of: group)
        // Cluster API names Machines by node; Magnum takes Nova server IDs, from the provider ID.
        let id: String = if case .magnum = group.provider { node.spec?.providerID ?? name } else { name }
        var action = AuditEntry(time: now, kind: .action, nodeGroup: group.name)
        (action.from, action.to) = (size.target, size.target - 1)
        switch await provider(group).resize(group, from: size.target, to: size.target - 1, removing: [id]) {
        case .accepted(let message):
            (action.outcome, action.message) = ("applied", "\(name) drained and removed: \(message)")
            if case .magnum = group.provider { state.resizing[group.name] = now }
        case .refused(let message): (action.outcome, action.message) = ("failed", message)
        case .unavailable(let message): (action.outcome, action.message) = ("held", message)
        }
        audit?.record(action)
        if action.outcome != "held" { state.draining[group.name] = nil }
        state.underSince[name] = nil
    }

    /// Whether a pod must leave before its node goes: everything but DaemonSet and mirror pods.
    static func mustMove(_ pod: Pod) -> Bool {
        pod.metadata.controller?.kind != "DaemonSet" && pod.metadata.annotations?["kubernetes.io/config.mirror"] == nil
            && pod.status?.phase != "Succeeded" && pod.status?.phase != "Failed"
    }

    func nodeState(_ node: KubernetesNode, of group: NodeGroup, pods: [Pod], budgets: [PodDisruptionBudget]) -> NodeState {
        let name = node.metadata.name ?? ""
        let onNode = pods.filter { $0.spec?.nodeName == name && $0.status?.phase != "Succeeded" && $0.status?.phase != "Failed" }
        return NodeState(name: name, allocatable: group.template.allocatable, pods: onNode.map { pod in
            let labels = pod.metadata.labels ?? [:]
            let covering = budgets.filter { budget in
                budget.metadata.namespace == pod.metadata.namespace
                    && (budget.spec?.selector?.matchLabels ?? [:]).allSatisfy { labels[$0.key] == $0.value } && !(budget.spec?.selector?.matchLabels ?? [:]).isEmpty
            }
            return NodePod(name: pod.metadata.name ?? "", namespace: pod.metadata.namespace ?? "default", controllerKind: pod.metadata.controller?.kind,
                           isMirror: pod.metadata.annotations?["kubernetes.io/config.mirror"] != nil,
                           hasLocalStorage: (pod.spec?.volumes ?? []).contains { $0.emptyDir != nil || $0.hostPath != nil },
                           safeToEvict: pod.metadata.annotations?["cluster-autoscaler.kubernetes.io/safe-to-evict"].map { $0 == "true" },
                           disruptionsAllowed: covering.compactMap { $0.status?.disruptionsAllowed }.min(),
                           requests: PendingPods.pending(pod).requests)
        }, scaleDownDisabled: node.metadata.annotations?["cluster-autoscaler.kubernetes.io/scale-down-disabled"] == "true")
    }
}

extension NodeScalingService {
    /// Each ready node of each group now: its requested share, and whether scale-down would take it
    /// were it to stay under the threshold for the unneeded time (the loop's own memory of how long
    /// it has been is not known here), with the reason it stays otherwise.
    public func scaleDownReport(now: Date) async throws -> [(group: String, node: String, utilization: Double, verdict: ScaleDownEligibility.Verdict)] {
        let nodes: KubernetesNodeList = try await client.get("/api/v1/nodes")
        let pods: PodList = try await client.get("/api/v1/pods")
        let budgets: [PodDisruptionBudget] = ((try? await client.get("/apis/policy/v1/poddisruptionbudgets")) as PodDisruptionBudgetList?)?.items ?? []
        var out: [(String, String, Double, ScaleDownEligibility.Verdict)] = []
        for group in Self.resolve(groups, nodes: nodes.items) {
            guard let size = try? await provider(group).size(of: group) else { continue }
            let ready = nodes.items.filter { node in
                group.template.labels.allSatisfy { node.metadata.labels?[$0.key] == $0.value } && node.spec?.unschedulable != true
                    && node.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
            }
            for node in ready {
                var state = nodeState(node, of: group, pods: pods.items, budgets: budgets)
                if state.utilization < settings.scaleDown.utilizationThreshold {
                    state.underutilizedSince = now.addingTimeInterval(-settings.scaleDown.unneededSeconds)
                }
                out.append((group.name, state.name, state.utilization,
                            ScaleDownEligibility.verdict(state, now: now, lastScaleUp: nil, groupSize: size.target,
                                                         groupMinimum: group.minSize ?? size.minSize ?? 0, settings: settings.scaleDown)))
            }
        }
        return out
    }
}

extension NodeScalingService {
    /// Follows Magnum resizes: while the cluster is `*_IN_PROGRESS` nothing is recorded; once it
    /// settles, `*_COMPLETE` or `*_FAILED` (with Magnum's reason) goes to the audit trail and the log.
    func followResizes(now: Date, state: inout NodeDrainState) async {
        for (name, since) in state.resizing {
            guard let group = groups.first(where: { $0.name == name }), let magnum = provider(group) as? MagnumProvider,
                  let (status, reason) = try? await magnum.clusterStatus(of: group), !status.hasSuffix("_IN_PROGRESS") else { continue }
            state.resizing[name] = nil
            var entry = AuditEntry(time: now, kind: .action, nodeGroup: name)
            let failed = status.hasSuffix("_FAILED")
            entry.outcome = failed ? "failed" : "applied"
            entry.message = "Magnum resize \(failed ? "failed" : "completed") after \(Int(now.timeIntervalSince(since)))s: \(status)" + (reason.map { " (\($0))" } ?? "")
            audit?.record(entry)
            if failed {
                logger.warning("node scaling: a Magnum resize failed", metadata: ["group": "\(name)", "status": "\(status)", "reason": "\(reason ?? "")"])
            } else {
                logger.notice("node scaling: a Magnum resize completed", metadata: ["group": "\(name)"])
            }
        }
    }
}
