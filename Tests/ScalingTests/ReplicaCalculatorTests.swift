import Foundation
import Testing
@testable import Scaling

/// The HPA replica calculator's cases, worked out from the controller's rules.
@Suite struct ReplicaCalculatorTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)
    static let calculator = ReplicaCalculator(settings: ControllerSettings(), now: now)

    /// Pods started an hour ago (past the CPU initialization period), requesting 1 CPU each. A ready
    /// pod became ready 10 minutes in; an unready one has never been ready (its condition last
    /// changed within the initial readiness delay of its start).
    static func pods(_ count: Int, ready: [Bool]? = nil, phases: [PodPhase]? = nil) -> [PodState] {
        (0..<count).map { index in
            let isReady = ready?[index] ?? true
            return PodState(name: "p\(index)", phase: phases?[index] ?? .running, ready: isReady,
                            readyTransitionTime: now.addingTimeInterval(isReady ? -3000 : -3590), startTime: now.addingTimeInterval(-3600),
                            requests: ["app": ["cpu": 1000]])
        }
    }

    static func samples(_ values: [Int64?]) -> [String: PodMetric] {
        var samples: [String: PodMetric] = [:]
        for (index, value) in values.enumerated() {
            if let value { samples["p\(index)"] = PodMetric(value: value, timestamp: now.addingTimeInterval(-10)) }
        }
        return samples
    }

    @Test(arguments: [
        // (pods, readiness, usage in millicores, target %, expected replicas, expected utilization)
        (3, nil, [300, 500, 700], 30, 5, 50),                         // scale up: 50% against 30%
        (5, nil, [100, 300, 500, 250, 250], 50, 3, 28),               // scale down: 28% against 50%
        (3, [false, true, true], [300, 500, 700], 30, 4, 60),         // unready pod counted as 0 when scaling up
        (5, [true, true, true, false, false], [100, 300, 500, 250, 250], 50, 2, 30), // unready ignored when scaling down
        (2, nil, [1900, nil], 100, 2, 190),                           // missing pod as 0: 95%, within tolerance
        (3, nil, [1010, 1030, 1020], 100, 3, 102),                    // within tolerance
        (4, nil, [100, 100, nil, nil], 50, 4, 10),                    // missing pods as 100% when scaling down: ratio crosses 1
    ] as [(Int, [Bool]?, [Int64?], Int, Int, Int)])
    func cpuUtilization(count: Int, ready: [Bool]?, usage: [Int64?], target: Int, replicas: Int, utilization: Int) throws {
        let result = try Self.calculator.resourceUtilization(currentReplicas: count, targetUtilization: target, resource: "cpu",
                                                             pods: Self.pods(count, ready: ready), metrics: Self.samples(usage)).get()
        #expect(result.replicas == replicas)
        #expect(result.utilization == utilization)
    }

    @Test func podsInTheirFirstMinutesWithStaleSamplesAreUnready() throws {
        var pods = Self.pods(3)
        // Started 60 s ago, ready 10 s ago: the sample (taken 10 s ago over 30 s) predates a full window.
        pods[0].startTime = Self.now.addingTimeInterval(-60)
        pods[0].readyTransitionTime = Self.now.addingTimeInterval(-10)
        let groups = PodGroups(pods: pods, metrics: Self.samples([900, 900, 900]), cpu: true, now: Self.now, settings: ControllerSettings())
        #expect(groups.unready == ["p0"] && groups.readyCount == 2)
        // Memory ignores readiness.
        let memory = PodGroups(pods: pods, metrics: Self.samples([900, 900, 900]), cpu: false, now: Self.now, settings: ControllerSettings())
        #expect(memory.unready.isEmpty && memory.readyCount == 3)
        // Failed and deleted pods are ignored; a pending pod is unready, whatever the metric.
        var others = Self.pods(3, phases: [.pending, .failed, .running])
        others[2].deletionTimestamp = Self.now
        for cpu in [true, false] {
            let grouped = PodGroups(pods: others, metrics: [:], cpu: cpu, now: Self.now, settings: ControllerSettings())
            #expect(grouped.ignored == ["p1", "p2"] && grouped.unready == ["p0"])
        }
    }

    @Test func errorsNameWhatIsMissing() {
        var pods = Self.pods(2)
        pods[1].requests = ["app": [:]]
        let missingRequest = Self.calculator.resourceUtilization(currentReplicas: 2, targetUtilization: 50, resource: "cpu", pods: pods,
                                                                 metrics: Self.samples([100, 100]))
        #expect(missingRequest == .failure(MetricError(reason: "FailedGetResourceMetric", message: "missing request for cpu in container app of Pod p1")))
        let noPods = Self.calculator.resourceUtilization(currentReplicas: 2, targetUtilization: 50, resource: "cpu", pods: [], metrics: [:])
        #expect(noPods == .failure(ReplicaCalculator.noPods))
        let allUnready = Self.calculator.resourceUtilization(currentReplicas: 2, targetUtilization: 50, resource: "cpu",
                                                             pods: Self.pods(2, ready: [false, false]), metrics: Self.samples([100, 100]))
        #expect(allUnready == .failure(ReplicaCalculator.noMetrics))
    }

    @Test func averageAndValueTargets() throws {
        // Pods metric: 3 pods at 15, 20, 25 requests/s against 10 per pod → 20/10 = 2.0 → 6.
        let qps = try Self.calculator.plainAverage(currentReplicas: 3, targetAverage: 10_000, cpu: false, pods: Self.pods(3),
                                                   metrics: Self.samples([15_000, 20_000, 25_000])).get()
        #expect(qps.replicas == 6 && qps.averageValue == 20_000)
        // Object Value: 300 against 100 with 2 ready pods → 6; from zero replicas the ratio alone → 3.
        #expect(Self.calculator.value(currentReplicas: 2, usage: 300_000, target: 100_000, pods: Self.pods(2)) == .success(6))
        #expect(Self.calculator.value(currentReplicas: 0, usage: 250_000, target: 100_000, pods: []) == .success(3))
        #expect(Self.calculator.value(currentReplicas: 4, usage: 105_000, target: 100_000, pods: Self.pods(4)) == .success(4))
        // External AverageValue: a queue of 95 at 10 per pod → 10; within tolerance of 9 pods' share stays.
        #expect(Self.calculator.averageValue(statusReplicas: 3, usage: 95_000, targetAverage: 10_000) == 10)
        #expect(Self.calculator.averageValue(statusReplicas: 9, usage: 95_000, targetAverage: 10_000) == 9)
    }

    @Test func perDirectionTolerance() {
        var settings = ControllerSettings()
        settings.scaleUpTolerance = 0.0
        settings.scaleDownTolerance = 0.5
        #expect(!settings.isWithinTolerance(1.01))
        #expect(settings.isWithinTolerance(0.6))
        #expect(!settings.isWithinTolerance(0.4))
    }

    @Test(arguments: [("500m", 500), ("2", 2000), ("1.5", 1500), ("2Gi", 2_147_483_648_000), ("100Mi", 104_857_600_000),
                      ("1k", 1_000_000), ("1e3", 1_000_000), ("250u", 1), ("0", 0)] as [(String, Int64)])
    func quantities(text: String, milli: Int64) {
        #expect(Quantity.milliValue(text) == milli)
    }

    @Test func badQuantities() {
        for text in ["", "abc", "1x", "Mi", "1.2.3Gi"] { #expect(Quantity.milliValue(text) == nil, "\(text)") }
        #expect(Quantity.format(milli: 1500) == "1500m" && Quantity.format(milli: 3000) == "3")
    }
}

extension ReplicaCalculatorTests {
    /// Past the initialization period, a pod that was ready once and is not now still counts: the
    /// HPA only sets aside pods that have never been ready.
    @Test func podsThatWereReadyOnceStillCount() {
        var pods = Self.pods(2)
        pods[0].ready = false
        let groups = PodGroups(pods: pods, metrics: Self.samples([100, 100]), cpu: true, now: Self.now, settings: ControllerSettings())
        #expect(groups.unready.isEmpty && groups.readyCount == 2)
    }
}
