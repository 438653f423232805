import Foundation
import Testing
@testable import Scaling

/// Packing pending pods onto a node group's template, and whether a node may be removed, as tables.
@Suite struct NodePackingTests {
    static let template = NodeTemplate(allocatable: ResourceAmounts(cpuMilli: 4000, memoryBytes: 16 << 30, pods: 8),
                                       labels: ["pool": "web", "zone": "a"], taints: [Taint(key: "dedicated", value: "web", effect: .noSchedule)])
    static let web = Toleration(key: "dedicated", value: "web", effect: .noSchedule)

    static func pods(_ count: Int, cpu: Int64, memoryGiB: Int64 = 1, prefix: String = "p") -> [PendingPod] {
        (0..<count).map { PendingPod(name: "\(prefix)\($0)", requests: ResourceAmounts(cpuMilli: cpu, memoryBytes: memoryGiB << 30, pods: 1), tolerations: [web]) }
    }

    @Test(arguments: [
        // (pods, CPU each, memory GiB each, room on coming nodes, max new nodes) → new nodes, unplaceable
        (8, Int64(500), Int64(1), 0, 10, 1, 0),        // 8 pods of half a core: one node's CPU and pod slots exactly
        (9, 500, 1, 0, 10, 2, 0),                      // one pod more: a second node
        (3, 1500, 1, 0, 10, 2, 0),                     // 1.5 cores each: two per node
        (4, 500, 5, 0, 10, 2, 0),                      // memory binds: three 5 GiB pods per 16 GiB node
        (16, 250, 1, 0, 10, 2, 0),                     // pod slots bind: 8 per node
        (8, 500, 1, 1, 10, 0, 0),                      // a booting node's room takes them all
        (12, 500, 1, 1, 10, 1, 0),                     // it takes 8, one new node the rest
        (30, 500, 1, 0, 2, 2, 14),                     // the group's maximum leaves 14 pending
        (1, 5000, 1, 0, 10, 0, 1),                     // larger than any node
    ])
    func firstFitDecreasing(count: Int, cpu: Int64, memory: Int64, roomNodes: Int, maxNew: Int, newNodes: Int, unplaceable: Int) {
        let room = Array(repeating: Self.template.allocatable, count: roomNodes)
        let result = NodePacking.pack(Self.pods(count, cpu: cpu, memoryGiB: memory), onto: Self.template, room: room, maxNewNodes: maxNew)
        #expect(result.newNodes == newNodes)
        #expect(result.unplaceable.count == unplaceable, "\(result.unplaceable)")
    }

    @Test func largestFirstPacksTighterThanArrivalOrder() {
        // Arrival order 1, 3, 1, 3 cores would take three nodes first-fit; largest first takes two.
        let pods = [1000, 3000, 1000, 3000].enumerated().map { index, cpu in
            PendingPod(name: "p\(index)", requests: ResourceAmounts(cpuMilli: Int64(cpu), memoryBytes: 1 << 30, pods: 1), tolerations: [Self.web])
        }
        #expect(NodePacking.pack(pods, onto: Self.template, maxNewNodes: 10).newNodes == 2)
    }

    @Test(arguments: [
        (PendingPod(name: "a", requests: .zero, nodeSelector: ["pool": "batch"], tolerations: [web]), "its nodeSelector pool=batch does not match the group's labels"),
        (PendingPod(name: "b", requests: .zero), "it does not tolerate the taint dedicated=web:NoSchedule"),
        (PendingPod(name: "c", requests: .zero, tolerations: [Toleration(key: "", op: .exists)]), nil),
        (PendingPod(name: "d", requests: .zero, tolerations: [Toleration(key: "dedicated", op: .exists)]), nil),
        (PendingPod(name: "e", requests: .zero, tolerations: [Toleration(key: "dedicated", value: "web", effect: .noExecute)]),
         "it does not tolerate the taint dedicated=web:NoSchedule"),
        (PendingPod(name: "f", requests: .zero, tolerations: [web], affinityTerms: [[NodeRequirement(key: "zone", op: .in, values: ["b"])],
                                                                                  [NodeRequirement(key: "pool", op: .exists)]]), nil),
        (PendingPod(name: "g", requests: .zero, tolerations: [web], affinityTerms: [[NodeRequirement(key: "zone", op: .notIn, values: ["a"])]]),
         "its required node affinity matches none of the group's labels"),
    ] as [(PendingPod, String?)])
    func constraintsDecideWhetherTheGroupFits(pod: PendingPod, reason: String?) {
        let result = NodePacking.pack([pod], onto: Self.template, maxNewNodes: 1)
        #expect(result.unplaceable[pod.name] == reason)
        #expect(result.newNodes == (reason == nil ? 1 : 0))
    }

    @Test func constraintsNotSimulatedAreNamed() {
        var pod = Self.pods(1, cpu: 100)[0]
        pod.notSimulated = ["pod anti-affinity"]
        #expect(NodePacking.pack([pod], onto: Self.template, maxNewNodes: 1).notSimulated == ["p0": ["pod anti-affinity"]])
    }

    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static func node(_ pods: [NodePod], cpuEach: Int64 = 500, since: Double? = -700, disabled: Bool = false) -> NodeState {
        NodeState(name: "n1", allocatable: ResourceAmounts(cpuMilli: 4000, memoryBytes: 16 << 30, pods: 8),
                  pods: pods.map { var pod = $0; pod.requests = ResourceAmounts(cpuMilli: cpuEach, memoryBytes: 1 << 30, pods: 1); return pod },
                  scaleDownDisabled: disabled, underutilizedSince: since.map { now.addingTimeInterval($0) })
    }

    @Test(arguments: [
        (node([NodePod(name: "a")]), nil as Double?, 3, 1, "removable"),
        (node([NodePod(name: "a")], disabled: true), nil, 3, 1, "the node is annotated scale-down-disabled"),
        (node([NodePod(name: "a")]), nil, 1, 1, "the group is at its minimum size (1)"),
        (node([NodePod(name: "a")]), -300, 3, 1, "the group scaled up less than 10 minutes ago"),
        (node([NodePod(name: "a"), NodePod(name: "b"), NodePod(name: "c"), NodePod(name: "d")]), nil, 3, 1, "its requests use 50% of it, not under 50%"),
        (node([NodePod(name: "a")], since: -300), nil, 3, 1, "it has been under the threshold for less than 10 minutes"),
        (node([NodePod(name: "a", controllerKind: nil)]), nil, 3, 1, "pod default/a has no controller to recreate it"),
        (node([NodePod(name: "a", controllerKind: nil, safeToEvict: true)]), nil, 3, 1, "removable"),
        (node([NodePod(name: "a", hasLocalStorage: true)]), nil, 3, 1, "pod default/a has local storage"),
        (node([NodePod(name: "a", safeToEvict: false)]), nil, 3, 1, "pod default/a is annotated safe-to-evict: \"false\""),
        (node([NodePod(name: "a", disruptionsAllowed: 0)]), nil, 3, 1, "evicting pod default/a would violate its PodDisruptionBudget"),
        (node([NodePod(name: "a", disruptionsAllowed: 1)]), nil, 3, 1, "removable"),
        (node([NodePod(name: "dns", namespace: "kube-system")]), nil, 3, 1, "pod kube-system/dns has no PodDisruptionBudget"),
        (node([NodePod(name: "ds", controllerKind: "DaemonSet", hasLocalStorage: true), NodePod(name: "m", controllerKind: nil, isMirror: true)]),
         nil, 3, 1, "removable"),
    ] as [(NodeState, Double?, Int, Int, String)])
    func scaleDownEligibility(node: NodeState, scaleUpAgo: Double?, groupSize: Int, minimum: Int, expected: String) {
        let verdict = ScaleDownEligibility.verdict(node, now: Self.now, lastScaleUp: scaleUpAgo.map { Self.now.addingTimeInterval($0) },
                                                   groupSize: groupSize, groupMinimum: minimum)
        switch verdict {
        case .removable: #expect(expected == "removable")
        case .keep(let reason): #expect(reason == expected)
        }
    }
}
