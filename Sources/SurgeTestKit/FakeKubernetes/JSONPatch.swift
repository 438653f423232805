import Foundation
/// RFC 6902 JSON patch over objects (add, replace, remove, test), enough for scale patches.
enum JSONPatch {
    static func apply(_ patch: JSONValue, to document: JSONValue) throws(FakeKubernetesFailure) -> JSONValue {
        guard case .array(let operations) = patch else { throw .badRequest("json patch must be a list of operations") }
        var document = document
        for operation in operations {
            guard let op = operation["op"]?.string, let path = operation["path"]?.string, path.hasPrefix("/") else {
                throw .badRequest("json patch operation needs op and path")
            }
            let keys = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
                .map { $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~") }
            switch op {
            case "add", "replace":
                guard let value = operation["value"] else { throw .badRequest("json patch \(op) needs a value") }
                if op == "replace", get(document, keys) == nil { throw .unprocessable("replace operation does not apply: doc is missing key: \(path)") }
                document = set(document, keys[...], value)
            case "remove":
                guard get(document, keys) != nil else { throw .unprocessable("remove operation does not apply: doc is missing path: \(path)") }
                document = set(document, keys[...], nil)
            case "test":
                guard get(document, keys) == operation["value"] else { throw .unprocessable("testing value \(path) failed") }
            default:
                throw .badRequest("unsupported json patch operation \(op)")
            }
        }
        return document
    }

    static func get(_ document: JSONValue, _ keys: [String]) -> JSONValue? {
        keys.reduce(document as JSONValue?) { value, key in value?[key] }
    }

    static func set(_ document: JSONValue, _ keys: ArraySlice<String>, _ value: JSONValue?) -> JSONValue {
        guard let key = keys.first else { return value ?? .null }
        var object = document
        if case .object = object {} else { object = [:] }
        if keys.count == 1 {
            object[key] = value
        } else {
            object[key] = set(object[key] ?? [:], keys.dropFirst(), value)
        }
        return object
    }
}

extension FakeKubernetesFailure {
    static func unprocessable(_ message: String) -> Self { .init(code: 422, reason: "Invalid", message: message) }
}
