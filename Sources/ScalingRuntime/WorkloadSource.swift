import Foundation
import Kubernetes
import Scaling

/// A workload as a decision sees it: the replicas its scale holds and its pods.
public struct WorkloadState: Sendable, Equatable {
    public var specReplicas: Int
    public var statusReplicas: Int
    /// Nil when the pods are not known: the pods that report the policy's metrics are then taken as
    /// running and ready.
    public var pods: [PodState]?
    /// The scale's resourceVersion when read: a write carries it, so the API refuses a change made
    /// on a scale someone else changed since.
    public var resourceVersion: String?

    public init(specReplicas: Int, statusReplicas: Int? = nil, pods: [PodState]? = nil, resourceVersion: String? = nil) {
        self.specReplicas = specReplicas
        self.statusReplicas = statusReplicas ?? specReplicas
        self.pods = pods
        self.resourceVersion = resourceVersion
    }
}

/// Where live decisions read a workload's current state.
public protocol WorkloadSource: Sendable {
    func state(of target: ScalingPolicy.TargetReference) async throws -> WorkloadState
}

/// A replica count given on the command line; pods are those reporting metrics.
public struct GivenReplicas: WorkloadSource {
    public let replicas: Int

    public init(_ replicas: Int) { self.replicas = replicas }

    public func state(of target: ScalingPolicy.TargetReference) async throws -> WorkloadState {
        WorkloadState(specReplicas: replicas)
    }
}

/// The workload's scale subresource and the pods its selector picks, from the API server.
public struct KubernetesWorkloads: WorkloadSource {
    let client: KubernetesClient

    public init(client: KubernetesClient) { self.client = client }

    public func state(of target: ScalingPolicy.TargetReference) async throws -> WorkloadState {
        let scaleTarget: ScaleTarget
        do {
            scaleTarget = try await client.scaleTarget(apiVersion: target.apiVersion, kind: target.kind, namespace: target.namespace, name: target.name)
        } catch let error as ScaleTargetError {
            throw WorkloadError(error.description)
        }
        let scale = try await client.scale(of: scaleTarget)
        var pods: [PodState] = []
        if let selector = scale.status?.selector, !selector.isEmpty {
            pods = try await client.listPods(namespace: target.namespace, labelSelector: selector).items.map(PodStates.state)
        }
        return WorkloadState(specReplicas: scale.spec.replicas ?? 0, statusReplicas: scale.status?.replicas, pods: pods,
                             resourceVersion: scale.metadata.resourceVersion)
    }
}

/// Pods as the HPA's replica calculator reads them: phase, the Ready condition and when it last
/// changed, start time, deletion, and each container's requests.
public enum PodStates {
    public static func state(_ pod: Pod) -> PodState {
        let ready = pod.status?.conditions?.first { $0.type == "Ready" }
        var requests: [String: [String: Int64]] = [:]
        for container in pod.spec?.containers ?? [] {
            for (resource, quantity) in container.resources?.requests ?? [:] {
                if let milli = Quantity.milliValue(quantity) { requests[container.name, default: [:]][resource] = milli }
            }
        }
        return PodState(name: pod.metadata.name ?? "", phase: pod.status?.phase.map { PodPhase(rawValue: $0) ?? .unknown } ?? .pending,
                        ready: ready.map { ConditionStatus(rawValue: $0.status) == .true }, readyTransitionTime: ready?.lastTransitionTime.flatMap(RFC3339.date),
                        startTime: pod.status?.startTime.flatMap(RFC3339.date),
                        deletionTimestamp: pod.metadata.deletionTimestamp.flatMap(RFC3339.date),
                        requests: requests)
    }
}

/// A workload that cannot be read as a scaling target.
public struct WorkloadError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) { self.description = description }
}
