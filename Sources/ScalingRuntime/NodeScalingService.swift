import Actuators
import Foundation
import Kubernetes
import Logging
import Scaling
import ServiceLifecycle
import TimeSeriesCore

/// How the node loop runs: how often it looks, how long a pod must have been unschedulable, whether
/// it only says what it would do, and how many resizes each group may get per window.
public struct NodeScalingSettings: Sendable, Equatable {
    public var scanInterval: Duration = .seconds(10)
    public var pendingThresholdSeconds: Double = 10
    public var dryRun = false
    public var rateLimit = ActionRateLimit(perTarget: 3, overall: 20, window: 600_000)
    public var scaleDown = ScaleDownSettings()

    public init() {}
}

/// The node loop. Each scan grows node groups for pods that stay unschedulable, as Cluster
/// Autoscaler does (packed onto the groups' templates after the room of nodes still booting), and
/// for the pods the groups' policies will want within a boot; when nothing waits, it shrinks groups
/// by draining underutilized nodes (NodeScaleDown.swift). Every decision and every provider answer
/// is audited. A provider that cannot be reached holds its group (nothing is changed), raises an
/// alert, and is tried again at the next scan.
public struct NodeScalingService: Service {
    let groups: [NodeGroup]
    let provider: @Sendable (NodeGroup) -> any NodeProvider
    let client: KubernetesClient
    let settings: NodeScalingSettings
    /// The policies' newest decisions, for the pods their floors will want (groups naming policies).
    let decisions: ScalingDecisions?
    let audit: AuditTrail?
    /// Raises (`resolved` false) and resolves `NodeGroupProviderUnavailable` for a group whose
    /// provider cannot be reached: group, since when, and the provider's error.
    let alert: (@Sendable (_ group: String, _ since: Date, _ resolvedAt: Date?, _ message: String) -> Void)?
    let clock: any LoopClock
    let logger: Logger

    public init(groups: [NodeGroup], provider: @escaping @Sendable (NodeGroup) -> any NodeProvider, client: KubernetesClient,
                settings: NodeScalingSettings, decisions: ScalingDecisions? = nil, audit: AuditTrail?,
                alert: (@Sendable (_ group: String, _ since: Date, _ resolvedAt: Date?, _ message: String) -> Void)? = nil,
                clock: any LoopClock, logger: Logger) {
        self.decisions = decisions
        self.alert = alert
        self.groups = groups
        self.provider = provider
        self.client = client
        self.settings = settings
        self.audit = audit
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        logger.notice(settings.dryRun ? "node groups are watched for unschedulable pods; dry run: no group is resized"
                      : "node groups are grown for unschedulable pods and ahead of their policies' floors, and shrunk by draining underutilized nodes",
                      metadata: ["groups": "\(groups.map(\.name).joined(separator: ", "))"])
        var limit = settings.rateLimit
        var drains = NodeDrainState()
        while !Task.isShuttingDownGracefully {
            do {
                try await scan(limit: &limit, drains: &drains)
            } catch {
                logger.warning("node scaling: cannot read pods or nodes; groups are held", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { [clock, settings] in try await clock.sleep(for: settings.scanInterval) }
            } catch {
                break
            }
        }
    }

    func scan(limit: inout ActionRateLimit, drains: inout NodeDrainState) async throws {
        let now = Date(timeIntervalSince1970: Double(clock.now) / 1000)
        await followResizes(now: now, state: &drains)
        guard let scan = try await plan(now: now) else {
            try await scaleDown(groups: [], now: now, state: &drains)
            return
        }
        for (group, error) in scan.held.sorted(by: { $0.key < $1.key }) {
            logger.warning("node scaling: the group's provider cannot be read; the group is held", metadata: ["group": "\(group)", "error": "\(error)"])
            var entry = AuditEntry(time: now, kind: .action, nodeGroup: group)
            entry.outcome = "held"
            entry.message = error
            audit?.record(entry)
            outage(group, now: now, message: error, state: &drains)
        }
        for view in scan.views { recovered(view.name, now: now, state: &drains) }
        for (pod, reason) in scan.unplaceable.sorted(by: { $0.key < $1.key }) {
            logger.info("node scaling: an unschedulable pod fits no group", metadata: ["pod": "\(pod)", "reason": "\(reason)"])
        }
        let (plans, groups) = (scan.plans, scan.groups)
        for plan in plans {
            guard let group = groups.first(where: { $0.name == plan.group }) else { continue }
            var decision = AuditEntry(time: now, kind: .decision, nodeGroup: plan.group)
            decision.currentReplicas = plan.from
            decision.desiredReplicas = plan.to
            let ahead = plan.pods.filter { $0.contains("-upcoming-") }.count
            decision.drivenBy = ahead == 0 ? "pending pods" : ahead == plan.pods.count ? "policy floors" : "pending pods and policy floors"
            decision.explanation = plan.explanation + ["Pods: " + plan.pods.joined(separator: ", ")]
            audit?.record(decision)
            var action = AuditEntry(time: now, kind: .action, nodeGroup: plan.group)
            (action.from, action.to) = (plan.from, plan.to)
            if settings.dryRun {
                action.outcome = "dryRun"
            } else if let refusal = limit.take(plan.group, at: clock.now) {
                action.outcome = "rateLimited"
                action.message = refusal
            } else {
                switch await provider(group).resize(group, from: plan.from, to: plan.to, removing: []) {
                case .accepted(let message):
                    (action.outcome, action.message) = ("applied", message)
                    drains.lastScaleUp[plan.group] = now
                    if case .magnum = group.provider { drains.resizing[plan.group] = now }
                case .refused(let message): (action.outcome, action.message) = ("failed", message)
                case .unavailable(let message):
                    (action.outcome, action.message) = ("held", message)
                    outage(plan.group, now: now, message: message, state: &drains)
                }
            }
            audit?.record(action)
            logger.notice("node scaling: \(action.outcome ?? "")", metadata: ["group": "\(plan.group)", "from": "\(plan.from)", "to": "\(plan.to)",
                                                                             "message": "\(action.message ?? "")"])
        }
    }

    /// What one scan sees and would do: the groups as their providers hold them, the scale-ups the
    /// unschedulable and upcoming pods need, the pods no group can take, and the groups whose
    /// provider could not be read. Nil when no pod waits and none is coming.
    public struct ScanPlan: Sendable {
        public var groups: [NodeGroup]
        public var views: [NodeGroupView]
        public var plans: [NodeScaleUpPlan]
        public var unplaceable: [String: String]
        public var held: [String: String]
        public var pending: Int
    }

    public func plan(now: Date) async throws -> ScanPlan? {
        let upcoming = upcomingPods()
        let pods: PodList = try await client.get("/api/v1/pods", query: [("fieldSelector", "status.phase=Pending")])
        let pending = pods.items.filter { PendingPods.unschedulable($0, now: now, threshold: settings.pendingThresholdSeconds) }.map(PendingPods.pending)
        guard !pending.isEmpty || !upcoming.isEmpty else { return nil }
        let nodes: KubernetesNodeList = try await client.get("/api/v1/nodes")
        let groups = Self.resolve(groups, nodes: nodes.items)
        // Room left on ready nodes, for pods not created yet (the scheduler will place them there first).
        var requested: [String: [ResourceAmounts]] = [:]
        if !upcoming.isEmpty {
            let placed: PodList = try await client.get("/api/v1/pods", query: [("fieldSelector", "status.phase=Running")])
            for pod in placed.items {
                guard let node = pod.spec?.nodeName else { continue }
                requested[node, default: []].append(PendingPods.pending(pod).requests)
            }
        }
        var views: [NodeGroupView] = []
        var freeRoom: [String: [ResourceAmounts]] = [:]
        var held: [String: String] = [:]
        for group in groups {
            let size: NodeGroupSize
            do { size = try await provider(group).size(of: group) } catch {
                held[group.name] = "\(error)"
                continue
            }
            let readyNodes = nodes.items.filter { node in
                group.template.labels.allSatisfy { node.metadata.labels?[$0.key] == $0.value }
                    && node.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
            }
            freeRoom[group.name] = readyNodes.map { group.template.room(after: requested[$0.metadata.name ?? ""] ?? []) }
            views.append(NodeGroupView(name: group.name, template: group.template, target: size.target,
                                       minSize: group.minSize ?? size.minSize ?? 0, maxSize: group.maxSize ?? size.maxSize ?? .max,
                                       booting: max(size.target - readyNodes.count, 0)))
        }
        var (plans, unplaceable) = NodeScaleUp.plan(pending: pending, groups: views)
        plans = aheadOfTime(plans, upcoming: upcoming, views: views, freeRoom: freeRoom, anyPending: !pending.isEmpty)
        return ScanPlan(groups: groups, views: views, plans: plans, unplaceable: unplaceable, held: held, pending: pending.count)
    }

    /// Pods the served policies will want within their groups' boot time and do not have yet, each
    /// with the mean request of the workload's pods, by group.
    func upcomingPods() -> [String: [PendingPod]] {
        guard let decisions else { return [:] }
        var out: [String: [PendingPod]] = [:]
        for snapshot in decisions.snapshots() {
            guard let upcoming = snapshot.upcomingReplicas, let current = snapshot.currentReplicas, upcoming > current,
                  let requests = snapshot.podRequests,
                  let group = groups.first(where: { $0.policies.contains(snapshot.policy.name) }) else { continue }
            out[group.name, default: []] += (current..<upcoming).map { PendingPod(name: "\(snapshot.policy.name)-upcoming-\($0)", requests: requests) }
        }
        return out
    }

    /// Adds to the plans the nodes the upcoming pods need after the room on the group's ready nodes
    /// (and on its booting ones, when no pod is pending to take it).
    func aheadOfTime(_ plans: [NodeScaleUpPlan], upcoming: [String: [PendingPod]], views: [NodeGroupView], freeRoom: [String: [ResourceAmounts]],
                     anyPending: Bool) -> [NodeScaleUpPlan] {
        var plans = plans
        for view in views {
            guard let pods = upcoming[view.name], !pods.isEmpty else { continue }
            let existing = plans.firstIndex { $0.group == view.name }
            let target = existing.map { plans[$0].to } ?? view.target
            let room = (freeRoom[view.name] ?? []) + (anyPending ? [] : Array(repeating: view.template.allocatable, count: view.booting))
            let packed = NodePacking.pack(pods, onto: view.template, room: room, maxNewNodes: max(view.maxSize - target, 0))
            guard packed.newNodes > 0 else { continue }
            let line = "\(pods.count) pods the policies' schedules and forecasts want within the group's boot time need \(packed.newNodes) more nodes, started now."
            if let existing {
                plans[existing].to += packed.newNodes
                plans[existing].pods += pods.map(\.name)
                plans[existing].explanation.append(line)
            } else {
                plans.append(NodeScaleUpPlan(group: view.name, from: view.target, to: view.target + packed.newNodes, pods: pods.map(\.name), explanation: [line]))
            }
        }
        return plans
    }

    /// A group whose provider failed: the alert fires from the first failure and is sent again at
    /// every scan while it lasts, as Alertmanager expects firing alerts to be repeated.
    func outage(_ group: String, now: Date, message: String, state: inout NodeDrainState) {
        let since = state.outages[group] ?? now
        state.outages[group] = since
        alert?(group, since, nil, message)
    }

    func recovered(_ group: String, now: Date, state: inout NodeDrainState) {
        guard let since = state.outages.removeValue(forKey: group) else { return }
        alert?(group, since, now, "")
    }

    /// Groups whose template a node stands for, with that node's allocatable, labels and taints.
    public static func resolve(_ groups: [NodeGroup], nodes: [KubernetesNode]) -> [NodeGroup] {
        groups.map { group in
            guard let name = group.templateNode, let node = nodes.first(where: { $0.metadata.name == name }) else { return group }
            var resolved = group
            let allocatable = node.status?.allocatable ?? [:]
            resolved.template = NodeTemplate(
                allocatable: ResourceAmounts(cpuMilli: allocatable["cpu"].flatMap(Quantity.milliValue) ?? 0,
                                             memoryBytes: (allocatable["memory"].flatMap(Quantity.milliValue) ?? 0) / 1000,
                                             pods: Int((allocatable["pods"].flatMap(Quantity.milliValue) ?? 110_000) / 1000)),
                labels: (node.metadata.labels ?? [:]).filter { $0.key != "kubernetes.io/hostname" },
                taints: (node.spec?.taints ?? []).compactMap { taint in
                    Taint.Effect(rawValue: taint.effect).map { Taint(key: taint.key, value: taint.value ?? "", effect: $0) }
                })
            return resolved
        }
    }
}
