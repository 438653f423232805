import Foundation

/// A pod's lifecycle phase, as the API server reports it in `status.phase`.
public enum PodPhase: String, Sendable, Equatable, Codable, CaseIterable {
    case pending = "Pending"
    case running = "Running"
    case succeeded = "Succeeded"
    case failed = "Failed"
    case unknown = "Unknown"
}

/// What the replica calculator knows of one pod of the workload.
public struct PodState: Sendable, Equatable, Codable {
    public var name: String
    public var phase: PodPhase
    /// The Ready condition's status: true, false, or nil when the pod has no Ready condition.
    public var ready: Bool?
    public var readyTransitionTime: Date?
    public var startTime: Date?
    public var deletionTimestamp: Date?
    /// Requests per container and resource, in milli-units.
    public var requests: [String: [String: Int64]]

    public init(name: String, phase: PodPhase = .running, ready: Bool? = true, readyTransitionTime: Date? = nil,
                startTime: Date? = nil, deletionTimestamp: Date? = nil, requests: [String: [String: Int64]] = [:]) {
        self.name = name
        self.phase = phase
        self.ready = ready
        self.readyTransitionTime = readyTransitionTime
        self.startTime = startTime
        self.deletionTimestamp = deletionTimestamp
        self.requests = requests
    }
}

/// One pod's metric sample: the value in milli-units, when it was taken and over what window.
public struct PodMetric: Sendable, Equatable, Codable {
    public var value: Int64
    public var timestamp: Date
    public var windowSeconds: Double

    public init(value: Int64, timestamp: Date, windowSeconds: Double = 30) {
        self.value = value
        self.timestamp = timestamp
        self.windowSeconds = windowSeconds
    }
}

/// The replica calculator's sorting of pods: counted, unready, without metrics, or ignored.
struct PodGroups {
    var readyCount = 0
    var unready: Set<String> = []
    var missing: Set<String> = []
    var ignored: Set<String> = []

    /// As the HPA's `groupPods`: deleted and failed pods are ignored; pending pods are unready (so a
    /// scale-up counts them at zero); pods without a sample are missing; for CPU, a pod is unready when it has no Ready condition or start time, when it
    /// is within the CPU initialization period and either not ready or its sample predates a full
    /// window since the readiness change, or when it is not ready and has never been ready (its
    /// readiness changed within the initial readiness delay of its start).
    init(pods: [PodState], metrics: [String: PodMetric], cpu: Bool, now: Date, settings: ControllerSettings) {
        for pod in pods {
            if pod.deletionTimestamp != nil || pod.phase == .failed {
                ignored.insert(pod.name)
                continue
            }
            if pod.phase == .pending {
                unready.insert(pod.name)
                continue
            }
            guard let metric = metrics[pod.name] else {
                missing.insert(pod.name)
                continue
            }
            if cpu {
                var isUnready: Bool
                if let ready = pod.ready, let start = pod.startTime {
                    let transition = pod.readyTransitionTime ?? start
                    if start.addingTimeInterval(Double(settings.cpuInitializationPeriodSeconds)) > now {
                        isUnready = !ready || metric.timestamp < transition.addingTimeInterval(metric.windowSeconds)
                    } else {
                        isUnready = !ready && start.addingTimeInterval(Double(settings.initialReadinessDelaySeconds)) > transition
                    }
                } else {
                    isUnready = true
                }
                if isUnready {
                    unready.insert(pod.name)
                    continue
                }
            }
            readyCount += 1
        }
    }
}

extension [PodState] {
    /// Pods that are running and ready, as the controller's `getReadyPodsCount` counts them.
    var readyCount: Int { filter { $0.phase == .running && $0.ready == true }.count }
}
