import AsyncHTTPClient
import Kubernetes
import Logging
import Synchronization

/// Runs the pod watches of one `kubernetes_sd_configs` entry and keeps the targets they imply. The
/// scrape pool is told of each change through `onChange` and then reads `groups`.
final class KubernetesDiscovery: Sendable {
    let config: KubernetesSDConfig
    private let state = Mutex<(pods: [String: [Pod]], version: Int)>(([:], 0))

    init(config: KubernetesSDConfig) {
        self.config = config
    }

    var version: Int { state.withLock { $0.version } }

    var groups: [ScrapeConfig.StaticGroup] {
        let pods = state.withLock { $0.pods.values.flatMap { $0 } }.sorted { $0.key < $1.key }
        return pods.flatMap(PodTargets.groups(for:))
    }

    /// Watches until cancelled. Credentials that cannot be read are logged and retried each minute.
    func run(httpClient: HTTPClient, job: String, logger: Logger, onChange: @escaping @Sendable () -> Void) async {
        while !Task.isCancelled {
            let client: KubernetesClient
            do {
                client = try KubernetesClient(credentials: try config.credentials(), httpClient: httpClient)
            } catch {
                logger.error("kubernetes_sd cannot reach the API server", metadata: ["job": "\(job)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(60))
                continue
            }
            await withDiscardingTaskGroup { group in
                for namespace in config.watchedNamespaces(own: client.credentials.namespace) {
                    let watch = PodWatch(client: client, namespace: namespace, labelSelector: config.labelSelector, fieldSelector: config.fieldSelector)
                    group.addTask {
                        await watch.run(logger: logger) { pods in
                            self.state.withLock { state in
                                state.pods[namespace ?? ""] = pods
                                state.version += 1
                            }
                            onChange()
                        }
                    }
                }
            }
        }
    }
}
