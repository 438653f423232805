/// A node group as a scale-up sees it: its template, its size now, its bounds and how many of its
/// nodes are still booting (their room counts before new nodes are asked for).
public struct NodeGroupView: Sendable, Equatable {
    public var name: String
    public var template: NodeTemplate
    public var target: Int
    public var minSize: Int
    public var maxSize: Int
    public var booting: Int

    public init(name: String, template: NodeTemplate, target: Int, minSize: Int = 0, maxSize: Int = .max, booting: Int = 0) {
        self.name = name
        self.template = template
        self.target = target
        self.minSize = minSize
        self.maxSize = maxSize
        self.booting = booting
    }
}

/// One group to grow, and why.
public struct NodeScaleUpPlan: Sendable, Equatable {
    public var group: String
    public var from: Int
    public var to: Int
    public var pods: [String]
    public var explanation: [String]

    public init(group: String, from: Int, to: Int, pods: [String], explanation: [String]) {
        self.group = group
        self.from = from
        self.to = to
        self.pods = pods
        self.explanation = explanation
    }
}

/// Reactive scale-up, as Cluster Autoscaler's: the pods that stayed unschedulable go, in the
/// groups' order, to the first group whose template can take them, packed first-fit decreasing
/// after the room on its booting nodes, within its maximum. Pods no group can take are named with
/// the last group's reason.
public enum NodeScaleUp {
    public static func plan(pending: [PendingPod], groups: [NodeGroupView]) -> (plans: [NodeScaleUpPlan], unplaceable: [String: String]) {
        var remaining = pending
        var plans: [NodeScaleUpPlan] = []
        var unplaceable: [String: String] = [:]
        for group in groups where !remaining.isEmpty {
            let fitting = remaining.filter { $0.misfit(group.template) == nil }
            for pod in remaining where !fitting.contains(pod) { unplaceable[pod.name] = "group \(group.name): " + pod.misfit(group.template)! }
            guard !fitting.isEmpty else { continue }
            let room = Array(repeating: group.template.allocatable, count: max(group.booting, 0))
            let result = NodePacking.pack(fitting, onto: group.template, room: room, maxNewNodes: max(group.maxSize - group.target, 0))
            let placed = fitting.filter { result.unplaceable[$0.name] == nil }
            for (pod, reason) in result.unplaceable { unplaceable[pod] = "group \(group.name): " + reason }
            remaining.removeAll { pod in placed.contains(pod) }
            for pod in placed { unplaceable[pod.name] = nil }
            guard result.newNodes > 0 else { continue }
            var explanation = ["\(placed.count) unschedulable pods fit group \(group.name)'s nodes; packed largest first"
                               + (group.booting > 0 ? " after the room on its \(group.booting) booting nodes" : "")
                               + ", they need \(result.newNodes) more."]
            if group.target + result.newNodes >= group.maxSize { explanation.append("The group reaches its maximum of \(group.maxSize) nodes.") }
            for (pod, constraints) in result.notSimulated.sorted(by: { $0.key < $1.key }) {
                explanation.append("Not simulated for \(pod): \(constraints.joined(separator: ", ")).")
            }
            plans.append(NodeScaleUpPlan(group: group.name, from: group.target, to: group.target + result.newNodes,
                                         pods: placed.map(\.name).sorted(), explanation: explanation))
        }
        if groups.isEmpty { for pod in remaining { unplaceable[pod.name] = "no node group is configured" } }
        return (plans, unplaceable)
    }
}
