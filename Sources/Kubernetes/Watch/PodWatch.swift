import Logging

/// Keeps a current list of the pods matching a namespace and selectors: list, then watch from the
/// list's resourceVersion; when the server ends a watch, watch again from the last version; when the
/// version has expired (410) or anything fails, list again after a back-off (1 s doubling to 30 s).
/// Runs until its task is cancelled.
public struct PodWatch: Sendable {
    public let client: KubernetesClient
    public let namespace: String?
    public let labelSelector: String?
    public let fieldSelector: String?
    /// How long each watch request stays open before the server ends it.
    public var watchSeconds = 300

    public init(client: KubernetesClient, namespace: String?, labelSelector: String? = nil, fieldSelector: String? = nil) {
        self.client = client
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
    }

    public func run(logger: Logger, onChange: @Sendable ([Pod]) -> Void) async {
        var cache = PodCache()
        var backoff: Duration = .seconds(1)
        let scope = namespace ?? "all namespaces"
        while !Task.isCancelled {
            do {
                if cache.resourceVersion == nil {
                    cache.replace(with: try await client.listPods(namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector))
                    onChange(Array(cache.pods.values))
                }
                try await client.watchPods(namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector,
                                           resourceVersion: cache.resourceVersion, timeoutSeconds: watchSeconds) { event in
                    switch cache.apply(event) {
                    case .changed: onChange(Array(cache.pods.values))
                    case .unchanged: break
                    case .relist(let message):
                        logger.info("pod watch must list again", metadata: ["namespace": "\(scope)", "reason": "\(message)"])
                    }
                }
                backoff = .seconds(1)
            } catch let error as KubernetesError where error.isExpired {
                logger.info("pod watch must list again", metadata: ["namespace": "\(scope)", "reason": "\(error)"])
                cache = PodCache()
            } catch {
                if Task.isCancelled { return }
                logger.warning("cannot list or watch pods", metadata: ["namespace": "\(scope)", "error": "\(error)"])
                cache = PodCache()
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(30))
            }
        }
    }
}
