import Foundation
import Kubernetes
import Scaling

/// What changes a workload's replicas, and what it must know first: the only seam through which
/// Surge changes the outside world for pods.
public protocol ScaleActuator: Sendable {
    /// Sets the target's replicas, provided its scale is still at `resourceVersion` (nil: whatever it is).
    func setReplicas(_ replicas: Int, of target: ScalingPolicy.TargetReference, resourceVersion: String?) async -> ScaleAttempt.Answer
    /// Other autoscalers that scale the target (a HorizontalPodAutoscaler, a KEDA ScaledObject), as
    /// "HorizontalPodAutoscaler shop/web"; throws when that cannot be found out.
    func otherAutoscalers(of target: ScalingPolicy.TargetReference) async throws -> [String]
    /// Records an Event on the target, as the HPA records its rescales; failures are only logged.
    func recordEvent(on target: ScalingPolicy.TargetReference, type: String, reason: String, message: String, at time: Date) async
    /// The request a write is, for the audit trail: "PUT /apis/apps/v1/namespaces/NS/deployments/NAME/scale".
    func writeRequest(for target: ScalingPolicy.TargetReference) async -> String?
}

extension ScaleActuator {
    public func writeRequest(for target: ScalingPolicy.TargetReference) async -> String? { nil }
}

/// The API server's scale subresource: a PUT carrying the resourceVersion the decision was made
/// on, so a scale someone changed meanwhile is refused with 409 instead of overwritten.
public struct KubernetesActuator: ScaleActuator {
    let client: KubernetesClient

    public init(client: KubernetesClient) { self.client = client }

    public func setReplicas(_ replicas: Int, of target: ScalingPolicy.TargetReference, resourceVersion: String?) async -> ScaleAttempt.Answer {
        let scaleTarget: ScaleTarget
        do {
            scaleTarget = try await client.scaleTarget(apiVersion: target.apiVersion, kind: target.kind, namespace: target.namespace, name: target.name)
        } catch let error as ScaleTargetError {
            return .refused(status: error.statusCode, message: error.description)
        } catch let error as KubernetesError {
            return .refused(status: error.statusCode, message: error.status?.message ?? error.description)
        } catch {
            return .unreachable("\(error)")
        }
        let scale = Scale(metadata: ObjectMeta(name: target.name, namespace: target.namespace, resourceVersion: resourceVersion), replicas: replicas)
        do {
            let answer = try await client.updateScale(of: scaleTarget, to: scale)
            return .accepted(replicas: answer.spec.replicas ?? replicas, resourceVersion: answer.metadata.resourceVersion)
        } catch let error as KubernetesError {
            return .refused(status: error.statusCode, message: error.status?.message ?? error.description)
        } catch {
            return .unreachable("\(error)")
        }
    }

    public func writeRequest(for target: ScalingPolicy.TargetReference) async -> String? {
        guard let scaleTarget = try? await client.scaleTarget(apiVersion: target.apiVersion, kind: target.kind, namespace: target.namespace,
                                                              name: target.name) else { return nil }
        return "PUT " + scaleTarget.scalePath
    }

    public func otherAutoscalers(of target: ScalingPolicy.TargetReference) async throws -> [String] {
        var found: [String] = []
        for hpa in try await client.horizontalPodAutoscalers(namespace: target.namespace).items where Self.targets(hpa, target, defaultKind: nil) {
            found.append("HorizontalPodAutoscaler \(target.namespace)/\(hpa.metadata.name ?? "")")
        }
        do {
            for object in try await client.scaledObjects(namespace: target.namespace).items where Self.targets(object, target, defaultKind: "Deployment") {
                found.append("ScaledObject \(target.namespace)/\(object.metadata.name ?? "")")
            }
        } catch let error as KubernetesError where error.isNotFound {
            // KEDA is not installed: nothing of it can scale the target.
        }
        return found
    }

    static func targets(_ object: ScalerObjectList.ScalerObject, _ target: ScalingPolicy.TargetReference, defaultKind: String?) -> Bool {
        guard let reference = object.spec?.scaleTargetRef else { return false }
        return reference.name == target.name && (reference.kind ?? defaultKind) == target.kind
    }

    public func recordEvent(on target: ScalingPolicy.TargetReference, type: String, reason: String, message: String, at time: Date) async {
        let reference = KubernetesEvent.ObjectReference(apiVersion: target.apiVersion, kind: target.kind, namespace: target.namespace, name: target.name)
        let event = KubernetesEvent(on: reference, type: type, reason: reason, message: message, timestamp: RFC3339.string(time),
                                    nanoseconds: Int64(time.timeIntervalSince1970 * 1e9))
        _ = try? await client.createEvent(event)
    }
}
