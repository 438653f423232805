/// One line of a watch stream: `{"type": "ADDED", "object": {...}}`. An `ERROR` event carries a
/// Status instead of the watched kind, so the object is decoded by type.
public enum WatchEvent<Object: Decodable & Sendable>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// Only the resourceVersion to continue from.
    case bookmark(resourceVersion: String?)
    case error(KubernetesStatus)
}

extension WatchEvent: Decodable {
    private enum Keys: String, CodingKey { case type, object }
    private struct BookmarkObject: Decodable { var metadata: ListMeta? }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ADDED": self = .added(try container.decode(Object.self, forKey: .object))
        case "MODIFIED": self = .modified(try container.decode(Object.self, forKey: .object))
        case "DELETED": self = .deleted(try container.decode(Object.self, forKey: .object))
        case "BOOKMARK": self = .bookmark(resourceVersion: try container.decode(BookmarkObject.self, forKey: .object).metadata?.resourceVersion)
        case "ERROR": self = .error(try container.decode(KubernetesStatus.self, forKey: .object))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown watch event type \(type)")
        }
    }
}
