/// The pods one list-and-watch knows of, and the resourceVersion to continue from. Pure: the watch
/// loop feeds it lists and events and does what it answers.
public struct PodCache: Sendable {
    public private(set) var pods: [String: Pod] = [:]
    public private(set) var resourceVersion: String?

    public init() {}

    public enum Outcome: Equatable, Sendable {
        case changed
        case unchanged
        /// The watch cannot continue from here; list again. Carries the API's message.
        case relist(String)
    }

    public mutating func replace(with list: PodList) {
        pods = Dictionary(list.items.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        resourceVersion = list.metadata?.resourceVersion
    }

    public mutating func apply(_ event: WatchEvent<Pod>) -> Outcome {
        switch event {
        case .added(let pod), .modified(let pod):
            resourceVersion = pod.metadata.resourceVersion ?? resourceVersion
            if pods[pod.key] == pod { return .unchanged }
            pods[pod.key] = pod
            return .changed
        case .deleted(let pod):
            resourceVersion = pod.metadata.resourceVersion ?? resourceVersion
            return pods.removeValue(forKey: pod.key) == nil ? .unchanged : .changed
        case .bookmark(let version):
            resourceVersion = version ?? resourceVersion
            return .unchanged
        case .error(let status):
            resourceVersion = nil
            return .relist("\(status.code.map(String.init) ?? "?") \(status.reason ?? ""): \(status.message ?? "watch error")")
        }
    }
}
