import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat
import Synchronization

extension FakeKubernetesAPIServer {
    func respond(to request: Request) async -> Response {
        let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
        let body = try? await request.body.collect(upTo: 4 << 20)
        let response: Response
        do {
            if state.withLock({ $0.unavailable }) {
                throw FakeKubernetesFailure(code: 503, reason: "ServiceUnavailable", message: "etcdserver: request timed out")
            }
            let token = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
            guard let account = state.withLock({ state in token.flatMap { state.accounts[$0] } }) else { throw FakeKubernetesFailure.unauthorized }
            let served = state.withLock { $0.served }
            if let document = try FakeKubernetesDiscovery.document(request.uri.path, served: served) {
                guard request.method == .get else { throw FakeKubernetesFailure.methodNotAllowed }
                response = Self.json(document)
                state.withLock { $0.requests.append("GET \(request.uri.path) -> 200") }
                return response
            }
            let route = try FakeRoute(path: request.uri.path, resources: served)
            let verb = try route.verb(request.method, watch: ["true", "1"].contains(query["watch"] ?? ""))
            let allowing = account.rules.indices.filter {
                account.rules[$0].allows(verb: verb, group: route.resource.group, resource: route.rbacResource, namespace: route.namespace, name: route.name)
            }
            guard !allowing.isEmpty else { throw route.forbidden(user: account.user, verb: verb) }
            state.withLock { state in for index in allowing { state.grantsUsed[account.token, default: []].insert("\(index) \(verb)") } }
            response = try perform(verb, route, query: query, body: body.map { Data(buffer: $0) } ?? Data(),
                                   contentType: request.headers[.contentType] ?? "",
                                   table: FakeKubernetesTable.wanted(request.headers[.accept] ?? ""))
        } catch let failure as FakeKubernetesFailure {
            response = Self.json(failure.status, status: .init(code: failure.code))
        } catch {
            response = Self.json(FakeKubernetesFailure(code: 500, reason: "InternalError", message: "\(error)").status, status: .internalServerError)
        }
        let line = "\(request.method.rawValue) \(request.uri.path)\(request.uri.query.map { "?" + $0 } ?? "") -> \(response.status.code)"
        state.withLock { $0.requests.append(line) }
        return response
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: value.encoded())))
    }

    private func perform(_ verb: String, _ route: FakeRoute, query: [String: String], body: Data, contentType: String,
                         table: Bool) throws -> Response {
        let labels = try FakeLabelSelector(query["labelSelector"] ?? "")
        let fields = try query["fieldSelector"].map { text throws(FakeKubernetesFailure) in
            try FakeFieldSelector(text, allowed: route.resource == .pods ? FakeFieldSelector.podFields : ["metadata.name", "metadata.namespace"])
        }
        let resource = route.resource
        if resource == .namespaces { return try namespaces(verb, name: route.name, table: table) }
        switch (verb, route.subresource) {
        case ("list", _):
            return state.withLock { state in
                let items = state.list(resource, namespace: route.namespace, labels: labels, fields: fields)
                if table { return Self.json(FakeKubernetesTable.table(resource, items, resourceVersion: String(state.resourceVersion))) }
                return Self.json(["kind": .string(resource.kind + "List"), "apiVersion": .string(resource.apiVersion),
                           "metadata": ["resourceVersion": .string(String(state.resourceVersion))],
                           "items": .array(items)])
            }
        case ("watch", _):
            return try watch(route, labels: labels, fields: fields, query: query)
        case ("get", nil):
            guard var object = state.withLock({ $0.object(resource, route.namespace ?? "", route.name!) }) else {
                throw FakeKubernetesFailure.notFound(resource, route.name!)
            }
            object["kind"] = .string(resource.kind)
            object["apiVersion"] = .string(resource.apiVersion)
            if table {
                return Self.json(FakeKubernetesTable.table(resource, [object], resourceVersion: object[path: "metadata.resourceVersion"]?.string ?? ""))
            }
            return Self.json(object)
        case ("create", "eviction"):
            return try evict(namespace: route.namespace!, name: route.name!)
        case ("create", _):
            guard var object = JSONValue.decode(body), case .object = object else {
                throw FakeKubernetesFailure.badRequest("the body of the request could not be decoded as a \(resource.kind)")
            }
            guard let namespace = route.namespace, let name = object[path: "metadata.name"]?.string, !name.isEmpty else {
                throw FakeKubernetesFailure(code: 422, reason: "Invalid", message: "\(resource.kind) \"\" is invalid: metadata.name: Required value: name or generateName is required")
            }
            if let given = object[path: "metadata.namespace"]?.string, given != namespace {
                throw FakeKubernetesFailure.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            object["metadata"]?["resourceVersion"] = nil
            return try state.withLock { state throws(FakeKubernetesFailure) in
                guard state.object(resource, namespace, name) == nil else {
                    throw FakeKubernetesFailure(code: 409, reason: "AlreadyExists", message: "\(resource.qualifiedName) \"\(name)\" already exists",
                                                details: resource.details(name))
                }
                return Self.json(state.write(resource, namespace: namespace, name: name, object)!, status: .created)
            }
        case ("delete", _):
            return try state.withLock { state throws(FakeKubernetesFailure) in
                guard let object = state.object(resource, route.namespace!, route.name!) else { throw .notFound(resource, route.name!) }
                state.write(resource, namespace: route.namespace!, name: route.name!, nil)
                return Self.json(object)
            }
        case ("get", "scale"):
            return try state.withLock { state throws(FakeKubernetesFailure) in
                guard let object = state.object(resource, route.namespace!, route.name!) else { throw .notFound(resource, route.name!) }
                return Self.json(Self.scale(of: object, resource))
            }
        case ("update", nil):
            // A whole object replaced (Leases): the resourceVersion given must be the current one.
            guard var object = JSONValue.decode(body), case .object = object else {
                throw FakeKubernetesFailure.badRequest("the body of the request could not be decoded as a \(resource.kind)")
            }
            let (namespace, name) = (route.namespace!, route.name!)
            if let given = object[path: "metadata.name"]?.string, given != name {
                throw FakeKubernetesFailure.badRequest("the name of the object (\(given)) does not match the name on the URL (\(name))")
            }
            return try state.withLock { state throws(FakeKubernetesFailure) in
                guard let stored = state.object(resource, namespace, name) else { throw .notFound(resource, name) }
                guard let version = object[path: "metadata.resourceVersion"]?.string, !version.isEmpty else {
                    throw FakeKubernetesFailure(code: 422, reason: "Invalid",
                                                message: "\(resource.kind).\(resource.group) \"\(name)\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update")
                }
                guard version == stored[path: "metadata.resourceVersion"]?.string else { throw .conflict(resource, name) }
                if let uid = stored[path: "metadata.uid"] { object["metadata"]?["uid"] = uid }
                if let created = stored[path: "metadata.creationTimestamp"] { object["metadata"]?["creationTimestamp"] = created }
                return Self.json(state.write(resource, namespace: namespace, name: name, object)!)
            }
        case ("patch", nil):
            // A merge patch (or JSON patch) of the whole object: annotations on Machines, cordoning Nodes.
            let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard ["application/merge-patch+json", "application/strategic-merge-patch+json", "application/json-patch+json"].contains(mediaType) else {
                throw FakeKubernetesFailure.unsupportedPatch
            }
            guard let input = JSONValue.decode(body) else { throw FakeKubernetesFailure.badRequest("the body of the request could not be decoded as JSON") }
            let namespace = route.namespace ?? "", name = route.name!
            return try state.withLock { state throws(FakeKubernetesFailure) in
                guard let stored = state.object(resource, namespace, name) else { throw .notFound(resource, name) }
                let patched = mediaType == "application/json-patch+json" ? try JSONPatch.apply(input, to: stored) : stored.merging(patch: input)
                var object = state.write(resource, namespace: namespace, name: name, patched)!
                object["kind"] = .string(resource.kind)
                object["apiVersion"] = .string(resource.apiVersion)
                return Self.json(object)
            }
        case ("update", "scale"), ("patch", "scale"):
            return try writeScale(route, verb: verb, body: body, contentType: contentType)
        default:
            throw FakeKubernetesFailure.methodNotAllowed
        }
    }

    /// The Eviction subresource: the pod is deleted unless a PodDisruptionBudget covering it allows
    /// no disruption now, which is answered 429 as the API server answers it.
    private func evict(namespace: String, name: String) throws -> Response {
        try state.withLock { state throws(FakeKubernetesFailure) in
            guard let pod = state.object(.pods, namespace, name) else { throw .notFound(.pods, name) }
            let labels = pod[path: "metadata.labels"]?.stringMap ?? [:]
            let pods = state.list(.pods, namespace: namespace, labels: FakeLabelSelector.everything, fields: nil)
            for budget in state.list(.podDisruptionBudgets, namespace: namespace, labels: FakeLabelSelector.everything, fields: nil) {
                let selector = budget[path: "spec.selector.matchLabels"]?.stringMap ?? [:]
                guard !selector.isEmpty, selector.allSatisfy({ labels[$0.key] == $0.value }) else { continue }
                let covered = pods.filter { other in selector.allSatisfy { (other[path: "metadata.labels"]?.stringMap ?? [:])[$0.key] == $0.value } }
                let healthy = covered.filter { other in
                    if case .array(let conditions)? = other[path: "status.conditions"] {
                        return conditions.contains { $0["type"]?.string == "Ready" && $0["status"]?.string == "True" }
                    }
                    return false
                }.count
                let allowed = budget[path: "spec.minAvailable"]?.int.map { healthy - $0 }
                    ?? budget[path: "spec.maxUnavailable"]?.int.map { $0 - (covered.count - healthy) } ?? 1
                if allowed <= 0 {
                    throw FakeKubernetesFailure(code: 429, reason: "TooManyRequests",
                                                message: "Cannot evict pod as it would violate the pod's disruption budget.",
                                                details: ["causes": [["reason": "DisruptionBudget",
                                                                      "message": .string("The disruption budget \(budget[path: "metadata.name"]?.string ?? "") needs \(healthy - allowed) healthy pods and has \(healthy) currently")]]])
                }
            }
            state.write(.pods, namespace: namespace, name: name, nil)
            return Self.json(["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201], status: .created)
        }
    }

    private func namespaces(_ verb: String, name: String?, table: Bool) throws -> Response {
        let (names, version) = state.withLock { state in
            // Cluster-scoped objects (nodes) are filed under an empty namespace.
            (Set(["default", "kube-system"]).union(state.objects.keys.compactMap { key in
                let namespace = key.split(separator: "/", omittingEmptySubsequences: false)[1]
                return namespace.isEmpty ? nil : String(namespace)
            }), String(state.resourceVersion))
        }
        func namespace(_ name: String) -> JSONValue {
            ["kind": "Namespace", "apiVersion": "v1", "metadata": ["name": .string(name), "creationTimestamp": "2026-01-01T00:00:00Z"],
             "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"]]
        }
        switch (verb, name) {
        case ("get", let name?):
            guard names.contains(name) else { throw FakeKubernetesFailure.notFound(.namespaces, name) }
            return Self.json(table ? FakeKubernetesTable.table(.namespaces, [namespace(name)], resourceVersion: version) : namespace(name))
        case ("list", nil):
            let items = names.sorted().map(namespace)
            return Self.json(table ? FakeKubernetesTable.table(.namespaces, items, resourceVersion: version)
                : ["kind": "NamespaceList", "apiVersion": "v1", "metadata": ["resourceVersion": .string(version)], "items": .array(items)])
        default:
            throw FakeKubernetesFailure.methodNotAllowed
        }
    }

    /// The Scale of a workload: the apps workloads' selector from `spec.selector.matchLabels`, a custom
    /// resource's from `status.selector` (the CRD's labelSelectorPath).
    static func scale(of workload: JSONValue, _ resource: FakeResource) -> JSONValue {
        let matchLabels = workload[path: "spec.selector.matchLabels"]?.stringMap ?? [:]
        let selector = resource.isCustom ? workload[path: "status.selector"]?.string ?? ""
            : matchLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": ["name": workload[path: "metadata.name"] ?? .null, "namespace": workload[path: "metadata.namespace"] ?? .null,
                         "uid": workload[path: "metadata.uid"] ?? .null, "resourceVersion": workload[path: "metadata.resourceVersion"] ?? .null,
                         "creationTimestamp": workload[path: "metadata.creationTimestamp"] ?? .null],
            "spec": ["replicas": workload[path: "spec.replicas"] ?? 0],
            "status": ["replicas": workload[path: "status.replicas"] ?? 0,
                       "selector": .string(selector)],
        ]
    }

    private func writeScale(_ route: FakeRoute, verb: String, body: Data, contentType: String) throws -> Response {
        let resource = route.resource
        let (namespace, name) = (route.namespace!, route.name!)
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        if verb == "patch", !["application/merge-patch+json", "application/strategic-merge-patch+json", "application/json-patch+json"].contains(mediaType) {
            throw FakeKubernetesFailure.unsupportedPatch
        }
        guard let input = JSONValue.decode(body) else {
            throw FakeKubernetesFailure.badRequest("the body of the request could not be decoded as JSON")
        }
        return try state.withLock { state throws(FakeKubernetesFailure) in
            guard var workload = state.object(resource, namespace, name) else { throw .notFound(resource, name) }
            let current = Self.scale(of: workload, resource)
            let wanted: JSONValue
            switch (verb, mediaType) {
            case ("update", _): wanted = input
            case (_, "application/json-patch+json"): wanted = try JSONPatch.apply(input, to: current)
            default: wanted = current.merging(patch: input)
            }
            if let kind = wanted["kind"]?.string, kind != "Scale" {
                throw .badRequest("the kind of the provided object (\(kind)) does not match Scale")
            }
            if let given = wanted[path: "metadata.name"]?.string, given != name {
                throw .badRequest("the name of the object (\(given)) does not match the name on the URL (\(name))")
            }
            if let version = wanted[path: "metadata.resourceVersion"]?.string, version != workload[path: "metadata.resourceVersion"]?.string {
                throw .conflict(resource, name)
            }
            guard let replicas = wanted[path: "spec.replicas"]?.int, replicas >= 0 else {
                let shown = wanted[path: "spec.replicas"].map { String(decoding: $0.encoded(), as: UTF8.self) } ?? "null"
                throw FakeKubernetesFailure(code: 422, reason: "Invalid",
                                            message: "Scale.autoscaling \"\(name)\" is invalid: spec.replicas: Invalid value: \(shown): must be greater than or equal to 0",
                                            details: ["name": .string(name), "group": "autoscaling", "kind": "Scale"])
            }
            workload["spec"]?["replicas"] = .int(replicas)
            let stored = state.write(resource, namespace: namespace, name: name, workload)!
            return Self.json(Self.scale(of: stored, resource))
        }
    }

    private func watch(_ route: FakeRoute, labels: FakeLabelSelector, fields: FakeFieldSelector?, query: [String: String]) throws -> Response {
        let requested = query["resourceVersion"].flatMap { $0.isEmpty ? nil : $0 }
        if let requested, Int(requested) == nil { throw FakeKubernetesFailure.badRequest("invalid resource version: \(requested)") }
        let timeout = query["timeoutSeconds"].flatMap(Int.init).map { min($0, 1800) } ?? 1800
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        state.withLock { state in
            let watch = FakeKubernetesState.Watch(resource: route.resource, namespace: route.namespace, labels: labels, fields: fields,
                                                  continuation: continuation)
            if let requested = requested.flatMap(Int.init), requested != 0 {
                if requested < state.oldestWatchable {
                    let status = FakeKubernetesFailure.expired(requested: requested, oldest: state.oldestWatchable).status
                    continuation.yield(FakeKubernetesState.line(["type": "ERROR", "object": status]))
                    continuation.finish()
                    return
                }
                for change in state.history where change.resourceVersion > requested {
                    if let event = watch.event(for: change) { continuation.yield(FakeKubernetesState.line(event)) }
                }
            } else {
                // No version (or "0"): the current objects first, as synthetic ADDED events.
                for object in state.list(route.resource, namespace: route.namespace, labels: labels, fields: fields) {
                    let change = FakeKubernetesState.Change(resourceVersion: 0, resource: route.resource, old: nil, new: object)
                    if let event = watch.event(for: change) { continuation.yield(FakeKubernetesState.line(event)) }
                }
            }
            state.nextWatch += 1
            let id = state.nextWatch
            state.watches[id] = watch
            continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.watches.removeValue(forKey: id) } }
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await Task.sleep(for: .seconds(timeout))
                    continuation.finish()
                }
                for await line in stream { try await writer.write(line) }
                group.cancelAll()
            }
            try await writer.finish(nil)
        })
    }
}
