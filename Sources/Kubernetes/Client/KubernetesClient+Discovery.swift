import Foundation
import Synchronization

/// One group version's resources as discovery lists them (`GET /apis/GROUP/VERSION`).
public struct APIResourceList: Codable, Sendable {
    public var groupVersion: String?
    public var resources: [APIResource]

    public struct APIResource: Codable, Sendable {
        public var name: String
        public var kind: String
        public var namespaced: Bool?
    }
}

/// A workload kind that cannot be scaled through a scale subresource.
public struct ScaleTargetError: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// The HTTP status this amounts to, for reports that speak the API's language: 404.
    public var statusCode: Int { 404 }
}

extension KubernetesClient {
    /// The scale subresource of `kind` in `apiVersion`. The apps workloads are known without asking;
    /// any other kind (a custom resource) is mapped to its resource through API discovery, as kubectl
    /// does, and must list a `RESOURCE/scale` subresource. A mapping found is kept for the life of the
    /// client: kinds do not change their resource names.
    public func scaleTarget(apiVersion: String, kind: String, namespace: String, name: String) async throws -> ScaleTarget {
        if let known = ScaleTarget(apiVersion: apiVersion, kind: kind, namespace: namespace, name: name) { return known }
        let key = "\(apiVersion) \(kind)"
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts.first ?? "")
        if let resource = discoveredScaleResources.withLock({ $0[key] }) {
            return ScaleTarget(group: group, version: version, resource: resource, namespace: namespace, name: name)
        }
        let list: APIResourceList
        do {
            list = try await get(group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)")
        } catch let error as KubernetesError where error.isNotFound {
            throw ScaleTargetError(description: "the API server does not serve \(apiVersion) (is its CustomResourceDefinition installed?)")
        }
        guard let resource = list.resources.first(where: { $0.kind == kind && !$0.name.contains("/") }) else {
            throw ScaleTargetError(description: "the API server has no kind \(kind) in \(apiVersion)")
        }
        guard list.resources.contains(where: { $0.name == resource.name + "/scale" }) else {
            throw ScaleTargetError(description: "\(kind) (\(resource.name).\(group)) has no scale subresource")
        }
        discoveredScaleResources.withLock { $0[key] = resource.name }
        return ScaleTarget(group: group, version: version, resource: resource.name, namespace: namespace, name: name)
    }
}
