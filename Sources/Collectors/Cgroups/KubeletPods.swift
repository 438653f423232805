import AsyncHTTPClient
import Kubernetes
import Logging
import ServiceLifecycle
import Synchronization

/// Names from the kubelet's `/pods` endpoint: each container status's ID ("containerd://<id>") gives
/// the pod, namespace, container name and image; each pod's UID its pod and namespace.
public enum KubeletPods {
    public static func names(from pods: [Pod]) -> KubernetesNames {
        var names = KubernetesNames()
        for pod in pods {
            let (name, namespace) = (pod.metadata.name ?? "", pod.metadata.namespace ?? "")
            if let uid = pod.metadata.uid { names.pods[uid] = (namespace, name) }
            for status in pod.status?.containerStatuses ?? [] {
                guard let id = status.containerID?.split(separator: "://", maxSplits: 1).last.map(String.init), !id.isEmpty else { continue }
                names.containers[id] = .init(pod: name, namespace: namespace, container: status.name, image: status.image)
            }
        }
        return names
    }
}

/// The latest names the kubelet reported, read by the cgroup collector at each collection.
public final class KubeletNamesCache: Sendable {
    private let names = Mutex(KubernetesNames())

    public init() {}

    public var current: KubernetesNames { names.withLock { $0 } }

    func replace(with new: KubernetesNames) { names.withLock { $0 = new } }
}

/// Where the kubelet is and how to ask it: the node's kubelet on port 10250 over https with the
/// service account's token, by default.
public struct KubeletConfig: Sendable, Equatable {
    public var url: String
    public var tokenFile: String?
    public var tls: TLSSettings
    public var refreshInterval: Duration

    public init(url: String, tokenFile: String? = nil, tls: TLSSettings = TLSSettings(), refreshInterval: Duration = .seconds(30)) {
        self.url = url
        self.tokenFile = tokenFile
        self.tls = tls
        self.refreshInterval = refreshInterval
    }
}

/// Polls the kubelet's `/pods` every refresh interval into the names cache. A failed poll keeps the
/// previous names and is logged once per distinct error.
public struct KubeletNamesService: Service {
    let config: KubeletConfig
    let cache: KubeletNamesCache
    let logger: Logger

    public init(config: KubeletConfig, cache: KubeletNamesCache, logger: Logger) {
        self.config = config
        self.cache = cache
        self.logger = logger
    }

    public func run() async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        var lastError: String?
        while !Task.isShuttingDownGracefully {
            do {
                try await refresh(http)
                lastError = nil
            } catch {
                let text = "\(error)"
                if text != lastError { logger.warning("cannot read pods from the kubelet", metadata: ["url": "\(config.url)", "error": "\(text)"]) }
                lastError = text
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: config.refreshInterval) }
            } catch {
                break
            }
        }
        try? await http.shutdown()
    }

    func refresh(_ http: HTTPClient) async throws {
        let client = try KubernetesClient(credentials: KubernetesCredentials(server: config.url, tls: config.tls, tokenFile: config.tokenFile),
                                          httpClient: http)
        let list: PodList = try await client.get("/pods")
        cache.replace(with: KubeletPods.names(from: list.items))
    }
}
