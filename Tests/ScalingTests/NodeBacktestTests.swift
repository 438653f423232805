import Testing
@testable import Scaling

/// Nodes under a pod count series: Cluster Autoscaler's reaction to Pending pods against nodes
/// started ahead of the pods, and scale-down after the unneeded time.
@Suite struct NodeBacktestTests {
    static let options = NodeBacktestOptions(podsPerNode: 8, bootSeconds: 180, scanSeconds: 15)

    @Test func reactiveNodesLeavePodsPendingForABootAndAheadOnesDoNot() {
        // 8 pods for an hour, then 24 for an hour, then 8 again for an hour; 15 s steps.
        let pods: [Int32] = Array(repeating: 8, count: 240) + Array(repeating: 24, count: 240) + Array(repeating: 8, count: 240)
        var reactiveNodes: [Int32] = [], aheadNodes: [Int32] = [], oracleNodes: [Int32] = []
        let reactive = NodeBacktest.simulate(pods: pods, ahead: nil, step: 15, options: Self.options, variant: "hpa", nodesOut: &reactiveNodes)
        // The policy knows one boot (12 steps) ahead that 24 pods are coming.
        let ahead = pods.indices.map { index in pods[min(index + 12, pods.count - 1)] }
        let early = NodeBacktest.simulate(pods: pods, ahead: ahead, step: 15, options: Self.options, variant: "policy", nodesOut: &aheadNodes)
        let oracle = NodeBacktest.oracle(pods: pods, step: 15, options: Self.options, nodesOut: &oracleNodes)
        // 16 pods wait a whole boot (180 s) for the two new nodes.
        #expect(reactive.pendingPodSeconds == 16 * 180)
        #expect(early.pendingPodSeconds == 0 && oracle.pendingPodSeconds == 0)
        #expect(reactive.peakNodes == 3 && early.peakNodes == 3)
        // Down again: utilization 8/24 stays under 50 % for 10 minutes before two nodes go.
        let down = 480 + 40
        #expect(reactiveNodes[down - 1] == 3 && reactiveNodes[down + 1] == 1, "\(reactiveNodes[(down - 3)...(down + 3)])")
        #expect(reactive.nodeActions == 2 && early.nodeActions == 2)
        #expect(early.nodeHours > reactive.nodeHours && early.nodeHours - reactive.nodeHours <= 2 * 180.0 / 3600 + 1e-9)
    }

    @Test func scaleDownWaitsTenMinutesAfterAScaleUp() {
        // A burst of 5 minutes: the nodes added for it stay until 10 minutes after they were added.
        let pods: [Int32] = Array(repeating: 8, count: 40) + Array(repeating: 16, count: 20) + Array(repeating: 8, count: 200)
        var nodes: [Int32] = []
        _ = NodeBacktest.simulate(pods: pods, ahead: nil, step: 15, options: Self.options, variant: "hpa", nodesOut: &nodes)
        #expect(nodes[40] == 2 && nodes[79] == 2)
        #expect(nodes.lastIndex(of: 2)! >= 40 + 40, "removed \(nodes.lastIndex(of: 2)! - 40) steps after the scale-up")
    }
}
