import Foundation

/// The fake's discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/GROUP[/VERSION]`, `/version`),
/// listing what it serves as the real server does, subresources included: clients such as kubectl
/// map kinds to resources and find scale subresources through them.
enum FakeKubernetesDiscovery {
    /// The document at `path`, or nil when the path is not a discovery path.
    static func document(_ path: String, served: [FakeResource]) throws(FakeKubernetesFailure) -> JSONValue? {
        let parts = path.split(separator: "/").map(String.init)
        switch parts.count {
        case 1 where parts[0] == "version":
            return ["major": "1", "minor": "30", "gitVersion": "v1.30.0", "platform": "linux/amd64"]
        case 1 where parts[0] == "api":
            return ["kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"]]]
        case 1 where parts[0] == "apis":
            let groups = Set(served.map(\.group).filter { !$0.isEmpty }).sorted()
            return ["kind": "APIGroupList", "apiVersion": "v1",
                    "groups": .array(groups.map { group(named: $0, served: served) })]
        case 2 where parts[0] == "api" && parts[1] == "v1":
            return resourceList(group: "", version: "v1", served: served)
        case 2 where parts[0] == "apis":
            guard served.contains(where: { $0.group == parts[1] }) else { throw .pathNotFound }
            return group(named: parts[1], served: served)
        case 3 where parts[0] == "apis":
            guard served.contains(where: { $0.group == parts[1] && $0.version == parts[2] }) else { throw .pathNotFound }
            return resourceList(group: parts[1], version: parts[2], served: served)
        default:
            return nil
        }
    }

    static func group(named name: String, served: [FakeResource]) -> JSONValue {
        let versions = Set(served.filter { $0.group == name }.map(\.version)).sorted()
        let entries: [JSONValue] = versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }
        return ["kind": "APIGroup", "apiVersion": "v1", "name": .string(name), "versions": .array(entries), "preferredVersion": entries[0]]
    }

    static func resourceList(group: String, version: String, served: [FakeResource]) -> JSONValue {
        var resources: [JSONValue] = []
        for resource in served where resource.group == group && resource.version == version {
            var entry: JSONValue = ["name": .string(resource.plural), "singularName": .string(resource.kind.lowercased()), "namespaced": .bool(!resource.clusterScoped),
                                    "kind": .string(resource.kind), "verbs": .array(resource.verbs.map { .string($0) })]
            if !resource.shortNames.isEmpty { entry["shortNames"] = .array(resource.shortNames.map { .string($0) }) }
            resources.append(entry)
            if resource.scalable {
                resources.append(["name": .string(resource.plural + "/scale"), "singularName": "", "namespaced": true,
                                  "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]])
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
                "resources": .array(resources)]
    }
}

/// Objects as a meta.k8s.io/v1 Table, which kubectl asks for (`Accept: application/json;as=Table;...`)
/// to print what the server chooses: the built-in columns for Deployments, Pods and Leases, Name and
/// Age for the rest, each row carrying the object's metadata.
enum FakeKubernetesTable {
    static func wanted(_ accept: String) -> Bool {
        accept.split(separator: ",").first.map { $0.contains("as=Table") } ?? false
    }

    static func table(_ resource: FakeResource, _ objects: [JSONValue], resourceVersion: String, now: Date = Date()) -> JSONValue {
        let names: [(String, String)]
        let cells: (JSONValue) -> [JSONValue]
        switch resource {
        case .deployments:
            names = [("Name", "string"), ("Ready", "string"), ("Up-to-date", "integer"), ("Available", "integer"), ("Age", "string")]
            cells = { object in
                let ready = object[path: "status.readyReplicas"]?.int ?? 0
                return [.string("\(ready)/\(object[path: "spec.replicas"]?.int ?? 0)"), .int(object[path: "status.updatedReplicas"]?.int ?? 0),
                        .int(object[path: "status.availableReplicas"]?.int ?? 0)]
            }
        case .pods:
            names = [("Name", "string"), ("Ready", "string"), ("Status", "string"), ("Restarts", "string"), ("Age", "string")]
            cells = { object in
                let ready = object[path: "status.conditions"].map { conditions in
                    if case .array(let list) = conditions { list.contains { $0["type"]?.string == "Ready" && $0["status"]?.string == "True" } } else { false }
                } ?? false
                let containers = if case .array(let list)? = object[path: "spec.containers"] { list.count } else { 0 }
                return [.string("\(ready ? containers : 0)/\(containers)"), object[path: "status.phase"] ?? "Pending", "0"]
            }
        case .leases:
            names = [("Name", "string"), ("Holder", "string"), ("Age", "string")]
            cells = { object in [object[path: "spec.holderIdentity"] ?? ""] }
        default:
            names = [("Name", "string"), ("Age", "string")]
            cells = { _ in [] }
        }
        let rows: [JSONValue] = objects.map { object in
            let created = object[path: "metadata.creationTimestamp"]?.string.flatMap { ISO8601DateFormatter().date(from: $0) } ?? now
            var metadata = object["metadata"] ?? [:]
            metadata["managedFields"] = nil
            return ["cells": .array([object[path: "metadata.name"] ?? ""] + cells(object) + [.string(age(now.timeIntervalSince(created)))]),
                    "object": ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata]]
        }
        let columns: [JSONValue] = names.map { name, type in
            ["name": .string(name), "type": .string(type), "format": name == "Name" ? "name" : "", "description": "", "priority": 0]
        }
        return ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": ["resourceVersion": .string(resourceVersion)],
                "columnDefinitions": .array(columns), "rows": .array(rows)]
    }

    /// An age as the API server's tables write it: "45s", "3m12s", "5h", "2d".
    static func age(_ seconds: TimeInterval) -> String {
        let seconds = max(0, Int(seconds))
        switch seconds {
        case ..<120: return "\(seconds)s"
        case ..<600: return "\(seconds / 60)m\(seconds % 60 == 0 ? "" : "\(seconds % 60)s")"
        case ..<(3 * 3600): return "\(seconds / 60)m"
        case ..<(48 * 3600): return "\(seconds / 3600)h"
        default: return "\(seconds / 86400)d"
        }
    }
}
