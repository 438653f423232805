/// How a backtest simulates nodes: identical nodes of `podsPerNode` pods each that take `bootSeconds`
/// to become ready; the autoscaler's loop every `scanSeconds`; scale-down by Cluster Autoscaler's rules.
public struct NodeBacktestOptions: Sendable, Equatable, Codable {
    public var podsPerNode: Int
    public var bootSeconds: Double
    public var scanSeconds: Double
    public var scaleDown: ScaleDownSettings

    public init(podsPerNode: Int = 8, bootSeconds: Double = 180, scanSeconds: Double = 10, scaleDown: ScaleDownSettings = .init()) {
        self.podsPerNode = podsPerNode
        self.bootSeconds = bootSeconds
        self.scanSeconds = scanSeconds
        self.scaleDown = scaleDown
    }
}

/// One variant's nodes over a trace.
public struct NodeFigures: Sendable, Equatable, Codable {
    public var variant: String
    /// Pods that existed without a ready node's slot, times seconds.
    public var pendingPodSeconds: Double
    /// Nodes that existed (booting or ready) times hours.
    public var nodeHours: Double
    public var peakNodes: Int
    /// Scale-ups and scale-downs of the group.
    public var nodeActions: Int
}

/// Nodes under a variant's pods. Pods are placed evenly (the scheduler's default spreading), so a
/// node's utilization is the pods over all ready slots. Reactive, as Cluster Autoscaler: pods that
/// fit on no node, booting ones included, add nodes at the next scan. Ahead of time, as Surge: the
/// pods the policy will want within one boot time (`ahead`) get their nodes started now. Scale-down
/// removes ready nodes down to what the pods (and, ahead of time, the coming pods) need, once
/// utilization has stayed under the threshold for the unneeded time and no scale-up happened in
/// the delay after one. Pods wait for a slot without changing the pod figures of the variant.
public enum NodeBacktest {
    public static func simulate(pods: [Int32], ahead: [Int32]?, step: Double, options: NodeBacktestOptions, variant: String,
                                nodesOut: inout [Int32]) -> NodeFigures {
        let perNode = max(options.podsPerNode, 1)
        func nodesFor(_ count: Int32) -> Int { max((Int(count) + perNode - 1) / perNode, 1) }
        var readyAt: [Double] = Array(repeating: -.infinity, count: nodesFor(pods.first ?? 0))
        var figures = NodeFigures(variant: variant, pendingPodSeconds: 0, nodeHours: 0, peakNodes: readyAt.count, nodeActions: 0)
        var lastScaleUp = -Double.infinity
        var underSince: Double?
        let scanEvery = max(Int((options.scanSeconds / step).rounded(.up)), 1)
        nodesOut.reserveCapacity(pods.count)
        for index in pods.indices {
            let now = Double(index) * step
            let count = Int(pods[index])
            if index % scanEvery == 0 {
                // Reactive: pods beyond every node's slots, booting nodes counted as coming room.
                var wanted = max(nodesFor(pods[index]), readyAt.count)
                if let ahead { wanted = max(wanted, nodesFor(max(ahead[index], pods[index]))) }
                if wanted > readyAt.count {
                    readyAt += Array(repeating: now + options.bootSeconds, count: wanted - readyAt.count)
                    lastScaleUp = now
                    underSince = nil
                    figures.nodeActions += 1
                } else {
                    let ready = readyAt.filter { $0 <= now }.count
                    let utilization = ready > 0 ? Double(count) / Double(ready * perNode) : 1
                    if utilization < options.scaleDown.utilizationThreshold && count <= ready * perNode {
                        if underSince == nil { underSince = now }
                    } else {
                        underSince = nil
                    }
                    let floor = max(nodesFor(pods[index]), ahead.map { nodesFor($0[index]) } ?? 0)
                    if let since = underSince, now - since >= options.scaleDown.unneededSeconds,
                       now - lastScaleUp >= options.scaleDown.delayAfterAddSeconds, readyAt.count > floor {
                        // Ready nodes go; booting ones are kept, as Cluster Autoscaler leaves upcoming nodes.
                        var removable = readyAt.count - floor
                        readyAt.removeAll { time in
                            guard removable > 0, time <= now else { return false }
                            removable -= 1
                            return true
                        }
                        underSince = nil
                        figures.nodeActions += 1
                    }
                }
            }
            let ready = readyAt.filter { $0 <= now }.count
            figures.pendingPodSeconds += Double(max(count - ready * perNode, 0)) * step
            figures.nodeHours += Double(readyAt.count) * step / 3600
            figures.peakNodes = max(figures.peakNodes, readyAt.count)
            nodesOut.append(Int32(readyAt.count))
        }
        return figures
    }

    /// Knows the future: each node started exactly one boot time before the pods that need it exist,
    /// and removed when no need within the boot time holds it.
    public static func oracle(pods: [Int32], step: Double, options: NodeBacktestOptions, nodesOut: inout [Int32]) -> NodeFigures {
        let perNode = max(options.podsPerNode, 1)
        let need = pods.map { max((Int($0) + perNode - 1) / perNode, 1) }
        let bootSteps = Int((options.bootSeconds / step).rounded(.up))
        let counts = need.indices.map { need[$0...min($0 + bootSteps, need.count - 1)].max()! }
        var figures = NodeFigures(variant: "oracle", pendingPodSeconds: 0, nodeHours: 0, peakNodes: counts.max() ?? 0, nodeActions: 0)
        for index in need.indices {
            let ready = index < bootSteps ? counts[0...index].min()! : counts[(index - bootSteps)...index].min()!
            if index > 0 && counts[index] != counts[index - 1] { figures.nodeActions += 1 }
            figures.pendingPodSeconds += Double(max(Int(pods[index]) - ready * perNode, 0)) * step
            figures.nodeHours += Double(counts[index]) * step / 3600
            nodesOut.append(Int32(counts[index]))
        }
        return figures
    }
}
