import Foundation
import TimeSeriesCore
import Kubernetes

/// A Cluster API MachineDeployment, MachineSet or MachinePool.
public struct ClusterAPIGroup: Sendable, Equatable {
    public var apiVersion: String
    public var kind: String
    public var namespace: String
    public var name: String

    public init(apiVersion: String = "cluster.x-k8s.io/v1beta1", kind: String = "MachineDeployment", namespace: String, name: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    public static let kinds = ["MachineDeployment": "machinedeployments", "MachineSet": "machinesets", "MachinePool": "machinepools"]

    var path: String {
        "/apis/\(apiVersion)/namespaces/\(namespace)/\(Self.kinds[kind] ?? kind.lowercased() + "s")/\(name)"
    }

    /// The label Cluster API puts on the group's Machines (a MachinePool's, where its provider makes
    /// MachinePool Machines).
    var machineLabel: String {
        switch kind {
        case "MachineSet": "cluster.x-k8s.io/set-name=\(name)"
        case "MachinePool": "cluster.x-k8s.io/pool-name=\(name)"
        default: "cluster.x-k8s.io/deployment-name=\(name)"
        }
    }
}

/// Sizes Cluster API groups as Cluster Autoscaler's clusterapi provider does: replicas through the
/// scale subresource; bounds from the `cluster.x-k8s.io/cluster-api-autoscaler-node-group-{min,max}-size`
/// annotations; the Machines of nodes chosen for removal annotated `cluster.x-k8s.io/delete-machine`
/// first, so the controller deletes those and not others.
public struct ClusterAPIProvider: NodeProvider {
    let client: KubernetesClient
    let now: @Sendable () -> Date

    public init(client: KubernetesClient, now: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.now = now
    }

    static let minAnnotation = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size"
    static let maxAnnotation = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size"
    static let deleteAnnotation = "cluster.x-k8s.io/delete-machine"

    struct Object: Decodable { var metadata: ObjectMeta; var spec: Spec?; struct Spec: Decodable { var replicas: Int? } }
    struct Machine: Decodable {
        var metadata: ObjectMeta
        var status: Status?
        struct Status: Decodable { var nodeRef: NodeRef? }
        struct NodeRef: Decodable { var name: String? }
    }
    struct MachineList: Decodable { var items: [Machine] }

    public func size(of group: NodeGroup) async throws -> NodeGroupSize {
        guard case .clusterAPI(let capi) = group.provider else { throw NodeProviderError("group \(group.name) is not a Cluster API group") }
        let object: Object = try await client.get(capi.path)
        let annotations = object.metadata.annotations ?? [:]
        return NodeGroupSize(target: object.spec?.replicas ?? 0, minSize: annotations[Self.minAnnotation].flatMap { Int($0) },
                             maxSize: annotations[Self.maxAnnotation].flatMap { Int($0) })
    }

    public func resize(_ group: NodeGroup, from current: Int, to desired: Int, removing nodes: [String]) async -> NodeProviderAnswer {
        guard case .clusterAPI(let capi) = group.provider else { return .refused("group \(group.name) is not a Cluster API group") }
        do {
            if !nodes.isEmpty {
                let machines: MachineList = try await client.get("/apis/\(capi.apiVersion)/namespaces/\(capi.namespace)/machines",
                                                                 query: [("labelSelector", capi.machineLabel)])
                for node in nodes {
                    guard let machine = machines.items.first(where: { $0.status?.nodeRef?.name == node }), let name = machine.metadata.name else {
                        return .refused("no Machine of \(capi.kind) \(capi.namespace)/\(capi.name) runs node \(node)")
                    }
                    let stamp = RFC3339Time.string(now())
                    let patch = try JSONSerialization.data(withJSONObject: ["metadata": ["annotations": [Self.deleteAnnotation: stamp]]])
                    let _: Machine = try await client.mergePatch("/apis/\(capi.apiVersion)/namespaces/\(capi.namespace)/machines/\(name)", patch)
                }
            }
            let scale: Scale = try await client.mergePatch(capi.path + "/scale", Data("{\"spec\":{\"replicas\":\(desired)}}".utf8))
            return .accepted("\(capi.kind) \(capi.namespace)/\(capi.name) scale set to \(scale.spec.replicas ?? desired)"
                             + (nodes.isEmpty ? "" : "; machines of \(nodes.joined(separator: ", ")) marked for deletion"))
        } catch let error as KubernetesError {
            let text = "\(error.statusCode) \(error.status?.message ?? "")"
            return error.statusCode >= 500 || error.statusCode == 429 ? .unavailable(text) : .refused(text)
        } catch {
            return .unavailable("\(error)")
        }
    }
}
