import Kubernetes
import Logging
import ServiceLifecycle
import Synchronization

/// The newest objects read from the API server, and what could not be read.
public final class KubeStateCache: Sendable {
    private let state = Mutex<(objects: KubeStateObjects, errors: [String], read: Bool)>((KubeStateObjects(), [], false))

    public init() {}

    public var current: (objects: KubeStateObjects, errors: [String], read: Bool) { state.withLock { $0 } }

    func replace(_ objects: KubeStateObjects, errors: [String]) { state.withLock { $0 = (objects, errors, true) } }
}

/// kube-state-metrics' series as one built-in collector: the cached objects, plus what `extra` adds
/// (the HorizontalPodAutoscaler series of Surge's own policies).
public struct KubeStateSource: SampleSource {
    let cache: KubeStateCache
    let extra: @Sendable () -> [CollectedSample]

    public init(cache: KubeStateCache, extra: @escaping @Sendable () -> [CollectedSample] = { [] }) {
        self.cache = cache
        self.extra = extra
    }

    public func collect() -> (samples: [CollectedSample], errors: [String]) {
        let current = cache.current
        guard current.read else { return (extra(), []) }
        return (KubeStateMetrics.samples(current.objects) + extra(), current.errors)
    }
}

/// Lists pods, Deployments, StatefulSets, ReplicaSets and Nodes every `interval` into the cache.
/// A list the account may not read (403) or that fails is left empty and named in the errors; the
/// others still count. Each distinct failure is logged once.
public struct KubeStateService: Service {
    let client: KubernetesClient
    let cache: KubeStateCache
    let interval: Duration
    let logger: Logger

    public init(client: KubernetesClient, cache: KubeStateCache, interval: Duration, logger: Logger) {
        self.client = client
        self.cache = cache
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        var reported = Set<String>()
        while !Task.isShuttingDownGracefully {
            let (objects, errors) = await read()
            cache.replace(objects, errors: errors)
            for error in errors where reported.insert(error).inserted {
                logger.warning("kube-state series: cannot list objects; their series are left out", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
            } catch {
                break
            }
        }
    }

    func read() async -> (KubeStateObjects, [String]) {
        var objects = KubeStateObjects()
        var errors: [String] = []
        func list<T: Decodable>(_ path: String) async -> T? {
            do { return try await client.get(path) } catch {
                errors.append("\(path): \(error)")
                return nil
            }
        }
        objects.pods = (await list("/api/v1/pods") as PodList?)?.items ?? []
        objects.deployments = (await list("/apis/apps/v1/deployments") as WorkloadList?)?.items ?? []
        objects.statefulSets = (await list("/apis/apps/v1/statefulsets") as WorkloadList?)?.items ?? []
        objects.replicaSets = (await list("/apis/apps/v1/replicasets") as WorkloadList?)?.items ?? []
        objects.nodes = (await list("/api/v1/nodes") as KubernetesNodeList?)?.items ?? []
        return (objects, errors)
    }
}
