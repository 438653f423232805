import Foundation

/// Why a metric gave no proposal, with the HPA's condition reason.
public struct MetricError: Error, Sendable, Equatable {
    public var reason: String
    public var message: String

    public init(reason: String, message: String) {
        self.reason = reason
        self.message = message
    }
}

/// The HPA controller's replica calculator, one function per metric target kind. Values are in
/// milli-units and integer arithmetic truncates where the controller's does.
public struct ReplicaCalculator: Sendable {
    public var settings: ControllerSettings
    public var now: Date

    public init(settings: ControllerSettings, now: Date) {
        self.settings = settings
        self.now = now
    }

    public struct ResourceProposal: Sendable, Equatable {
        public var replicas: Int
        /// Percent of requests, truncated; nil for AverageValue targets.
        public var utilization: Int?
        /// Average usage per pod in milli-units.
        public var averageValue: Int64
    }

    /// Resource metric with a Utilization target: usage over requests of the pods with samples.
    public func resourceUtilization(currentReplicas: Int, targetUtilization: Int, resource: String, container: String? = nil,
                                    pods: [PodState], metrics: [String: PodMetric]) -> Result<ResourceProposal, MetricError> {
        guard !pods.isEmpty else { return .failure(Self.noPods) }
        var metrics = metrics
        let groups = PodGroups(pods: pods, metrics: metrics, cpu: resource == "cpu", now: now, settings: settings)
        for name in groups.ignored.union(groups.unready) { metrics[name] = nil }
        guard !metrics.isEmpty else { return .failure(Self.noMetrics) }
        var requests: [String: Int64] = [:]
        for pod in pods {
            var total: Int64 = 0
            if let container, pod.requests[container] == nil {
                return .failure(MetricError(reason: "FailedGetContainerResourceMetric", message: "container \(container) not present in pod \(pod.name)"))
            }
            for (name, resources) in pod.requests where container == nil || container == name {
                guard let request = resources[resource] else {
                    return .failure(MetricError(reason: "FailedGetResourceMetric",
                                                message: "missing request for \(resource) in container \(name) of Pod \(pod.name)"))
                }
                total += request
            }
            if pod.requests.isEmpty {
                return .failure(MetricError(reason: "FailedGetResourceMetric", message: "missing request for \(resource) in Pod \(pod.name)"))
            }
            requests[pod.name] = total
        }
        guard let (ratio, utilization, average) = Self.utilizationRatio(metrics, requests, target: targetUtilization) else {
            return .failure(MetricError(reason: "FailedGetResourceMetric", message: "no metrics returned matched known pods"))
        }
        let proposal = { (replicas: Int) in ResourceProposal(replicas: replicas, utilization: utilization, averageValue: average) }
        let scaleUpWithUnready = !groups.unready.isEmpty && ratio > 1.0
        if !scaleUpWithUnready && groups.missing.isEmpty {
            if settings.isWithinTolerance(ratio) { return .success(proposal(currentReplicas)) }
            return .success(proposal(Int((ratio * Double(groups.readyCount)).rounded(.up))))
        }
        if !groups.missing.isEmpty {
            let fallback = Int64(max(100, targetUtilization))
            for name in groups.missing {
                if ratio < 1.0 {
                    metrics[name] = PodMetric(value: (requests[name] ?? 0) * fallback / 100, timestamp: now)
                } else if ratio > 1.0 {
                    metrics[name] = PodMetric(value: 0, timestamp: now)
                }
            }
        }
        if scaleUpWithUnready {
            for name in groups.unready { metrics[name] = PodMetric(value: 0, timestamp: now) }
        }
        guard let (newRatio, _, _) = Self.utilizationRatio(metrics, requests, target: targetUtilization) else {
            return .failure(MetricError(reason: "FailedGetResourceMetric", message: "no metrics returned matched known pods"))
        }
        return .success(proposal(rebalanced(currentReplicas, ratio: ratio, newRatio: newRatio, counted: metrics.count)))
    }

    /// Resource with an AverageValue target, and Pods metrics: the plain per-pod average.
    public func plainAverage(currentReplicas: Int, targetAverage: Int64, cpu: Bool,
                             pods: [PodState], metrics: [String: PodMetric]) -> Result<ResourceProposal, MetricError> {
        guard !pods.isEmpty else { return .failure(Self.noPods) }
        var metrics = metrics
        let groups = PodGroups(pods: pods, metrics: metrics, cpu: cpu, now: now, settings: settings)
        for name in groups.ignored.union(groups.unready) { metrics[name] = nil }
        guard !metrics.isEmpty else { return .failure(Self.noMetrics) }
        let (ratio, average) = Self.usageRatio(metrics, target: targetAverage)
        let proposal = { (replicas: Int) in ResourceProposal(replicas: replicas, utilization: nil, averageValue: average) }
        let scaleUpWithUnready = !groups.unready.isEmpty && ratio > 1.0
        if !scaleUpWithUnready && groups.missing.isEmpty {
            if settings.isWithinTolerance(ratio) { return .success(proposal(currentReplicas)) }
            return .success(proposal(Int((ratio * Double(groups.readyCount)).rounded(.up))))
        }
        // As for utilization: a ratio of exactly 1.0 leaves missing pods out of the second pass.
        for name in groups.missing where ratio != 1.0 {
            metrics[name] = PodMetric(value: ratio < 1.0 ? targetAverage : 0, timestamp: now)
        }
        if scaleUpWithUnready {
            for name in groups.unready { metrics[name] = PodMetric(value: 0, timestamp: now) }
        }
        let (newRatio, _) = Self.usageRatio(metrics, target: targetAverage)
        return .success(proposal(rebalanced(currentReplicas, ratio: ratio, newRatio: newRatio, counted: metrics.count)))
    }

    /// Object or External metric with a Value target: scale by the ratio over ready pods, or from
    /// zero by the ratio alone. Outside the tolerance the workload's pods are counted, and with none
    /// there is nothing to scale by: an error, so the replicas stay (never a proposal of zero).
    public func value(currentReplicas: Int, usage: Int64, target: Int64, pods: [PodState]) -> Result<Int, MetricError> {
        let ratio = Double(usage) / Double(target)
        guard currentReplicas != 0 else { return .success(Int(ratio.rounded(.up))) }
        if settings.isWithinTolerance(ratio) { return .success(currentReplicas) }
        guard !pods.isEmpty else { return .failure(Self.noPods) }
        return .success(Int((ratio * Double(pods.readyCount)).rounded(.up)))
    }

    /// Object or External metric with an AverageValue target: the total divided by the per-pod
    /// target. The tolerance is judged against the pods that exist (the scale's `status.replicas`),
    /// which is also the count kept inside it.
    public func averageValue(statusReplicas: Int, usage: Int64, targetAverage: Int64) -> Int {
        let ratio = Double(usage) / (Double(targetAverage) * Double(statusReplicas))
        if settings.isWithinTolerance(ratio) { return statusReplicas }
        return Int((Double(usage) / Double(targetAverage)).rounded(.up))
    }

    /// After filling in missing and unready pods: no change when the new ratio is within tolerance
    /// or crossed 1.0, or when it would move the count against the direction of the ratio.
    private func rebalanced(_ currentReplicas: Int, ratio: Double, newRatio: Double, counted: Int) -> Int {
        if settings.isWithinTolerance(newRatio) || (ratio < 1.0 && newRatio > 1.0) || (ratio > 1.0 && newRatio < 1.0) {
            return currentReplicas
        }
        let replicas = Int((newRatio * Double(counted)).rounded(.up))
        if (newRatio < 1.0 && replicas > currentReplicas) || (newRatio > 1.0 && replicas < currentReplicas) {
            return currentReplicas
        }
        return replicas
    }

    static let noPods = MetricError(reason: "FailedGetResourceMetric", message: "no pods returned by selector while calculating replica count")
    static let noMetrics = MetricError(reason: "FailedGetResourceMetric", message: "did not receive metrics for targeted pods (pods might be unready)")

    /// Utilization in whole percent of the requests of pods that have both, truncated as the HPA does.
    static func utilizationRatio(_ metrics: [String: PodMetric], _ requests: [String: Int64], target: Int) -> (Double, Int, Int64)? {
        var usage: Int64 = 0
        var requested: Int64 = 0
        var entries: Int64 = 0
        for (name, metric) in metrics {
            guard let request = requests[name] else { continue }
            usage += metric.value
            requested += request
            entries += 1
        }
        guard requested > 0 else { return nil }
        let utilization = Int(usage * 100 / requested)
        return (Double(utilization) / Double(target), utilization, usage / entries)
    }

    static func usageRatio(_ metrics: [String: PodMetric], target: Int64) -> (Double, Int64) {
        let total = metrics.values.reduce(Int64(0)) { $0 + $1.value }
        let average = total / Int64(metrics.count)
        return (Double(average) / Double(target), average)
    }
}
