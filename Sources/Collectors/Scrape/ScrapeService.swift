import AsyncHTTPClient
import Foundation
import Kubernetes
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TimeSeriesCore
import WireFormat

/// Scrapes every target of the configured jobs on its interval and appends what it read straight
/// into storage. Each target has its own loop; a target's first scrape is offset within the interval
/// by a hash of its URL so targets do not all fire at once. On shutdown every target's series are
/// marked stale.
public struct ScrapeService: Service {
    let configs: [ScrapeConfig]
    let appender: any SeriesAppender
    let status: ScrapeTargetsStatus
    let now: @Sendable () -> Timestamp
    let logger: Logger

    public init(configs: [ScrapeConfig], appender: any SeriesAppender, status: ScrapeTargetsStatus,
                now: @escaping @Sendable () -> Timestamp, logger: Logger) {
        self.configs = configs
        self.appender = appender
        self.status = status
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        // A service that returns early would stop the whole server.
        guard configs.contains(where: { !$0.targets.isEmpty || !$0.fileSDConfigs.isEmpty || !$0.kubernetesSDConfigs.isEmpty }) else {
            try? await gracefulShutdown()
            return
        }
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                timeout: .init(connect: .seconds(5)), decompression: .enabled(limit: .size(ScrapeFetch.maxBodyBytes))))
        await withDiscardingTaskGroup { group in
            for config in configs {
                group.addTask { await pool(config, client: client) }
            }
        }
        try? await client.shutdown()
    }

    /// One job: keeps a loop running for each of its current targets. Discovery is polled: file_sd
    /// files every few seconds (re-read when they change, or every refresh interval), Kubernetes pod
    /// watches every second; loops of targets that went away end with staleness markers, new targets
    /// get loops.
    private func pool(_ config: ScrapeConfig, client: HTTPClient) async {
        let wanted = WantedTargets()
        let refresh = config.fileSDConfigs.map(\.refreshInterval).min() ?? .seconds(300)
        let kubernetes = config.kubernetesSDConfigs.map(KubernetesDiscovery.init(config:))
        await withDiscardingTaskGroup { group in
            for discovery in kubernetes {
                group.addTask {
                    try? await cancelWhenGracefulShutdown {
                        await discovery.run(httpClient: client, job: config.jobName, logger: logger)
                    }
                }
            }
            var signature: [String]?
            var kubernetesVersions: [Int]?
            var fileGroups: [ScrapeConfig.StaticGroup] = []
            var lastRead = ContinuousClock.now
            var reportedErrors = Set<String>()
            while !Task.isShuttingDownGracefully {
                let current = FileDiscovery.signature(config.fileSDConfigs)
                let versions = kubernetes.map(\.version)
                let filesChanged = signature != current || ContinuousClock.now - lastRead >= refresh
                if filesChanged || versions != kubernetesVersions {
                    if filesChanged {
                        signature = current
                        lastRead = ContinuousClock.now
                        let (groups, errors) = FileDiscovery.read(config.fileSDConfigs)
                        for error in errors where reportedErrors.insert(error).inserted {
                            logger.warning("file_sd cannot read a target file", metadata: ["job": "\(config.jobName)", "error": "\(error)"])
                        }
                        fileGroups = groups
                    }
                    kubernetesVersions = versions
                    let resolved = config.resolveTargets(discovered: fileGroups + kubernetes.flatMap(\.groups))
                    status.setDropped(resolved.dropped, pool: config.jobName)
                    let started = wanted.replace(with: Set(resolved.active))
                    for (target, generation) in started {
                        status.register(target)
                        group.addTask { await scrapeLoop(target, config: config, client: client, wanted: wanted, generation: generation) }
                    }
                }
                // Static-only jobs never change; they just wait for shutdown.
                let pause: Duration = !kubernetes.isEmpty ? .seconds(1) : config.fileSDConfigs.isEmpty ? .seconds(3600) : .seconds(5)
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                } catch {
                    break
                }
            }
        }
    }

    private func scrapeLoop(_ target: ScrapeTarget, config: ScrapeConfig, client: HTTPClient, wanted: WantedTargets, generation: Int) async {
        var round = ScrapeRound(target: target, honorLabels: config.honorLabels, honorTimestamps: config.honorTimestamps,
                                sampleLimit: config.sampleLimit, metricRelabel: config.metricRelabelConfigs)
        let intervalMilliseconds = max(target.interval.inMilliseconds, 1)
        let offset = Int64(abs(target.url.hashValue % Int(intervalMilliseconds)))
        var wait = Duration.milliseconds(offset)
        while !Task.isShuttingDownGracefully {
            let pause = wait
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            } catch {
                break
            }
            if !wanted.isCurrent(target, generation) { break }
            let started = ContinuousClock.now
            let time = now()
            let outcome = await ScrapeFetch.fetch(target, client: client)
            let duration = ContinuousClock.now - started
            let seconds = duration.inSeconds
            let result = round.process(outcome, at: time, duration: seconds)
            append(result.series, target: target)
            status.record(target, error: result.error, at: time, duration: seconds)
            wait = max(target.interval - duration, .milliseconds(1))
        }
        append(round.end(at: now()), target: target)
        if !wanted.contains(target) { status.remove(target) }
    }

    private func append(_ series: [SeriesSamples], target: ScrapeTarget) {
        appender.store(series, logger: logger, metadata: ["target": "\(target.url)"])
    }
}

/// The targets a job currently has, shared by its loops so each notices when it is no longer wanted.
/// A target that leaves and comes back gets a new generation, so its old loop ends and only the new
/// one runs.
final class WantedTargets: Sendable {
    private let state = Mutex<(current: [ScrapeTarget: Int], next: Int)>(([:], 0))

    /// Makes `targets` the wanted set; returns the ones that need a new loop, with their generation.
    func replace(with targets: Set<ScrapeTarget>) -> [(ScrapeTarget, Int)] {
        state.withLock { state in
            var started: [(ScrapeTarget, Int)] = []
            var current: [ScrapeTarget: Int] = [:]
            for target in targets {
                if let generation = state.current[target] {
                    current[target] = generation
                } else {
                    state.next += 1
                    current[target] = state.next
                    started.append((target, state.next))
                }
            }
            state.current = current
            return started
        }
    }

    func isCurrent(_ target: ScrapeTarget, _ generation: Int) -> Bool {
        state.withLock { $0.current[target] == generation }
    }

    func contains(_ target: ScrapeTarget) -> Bool {
        state.withLock { $0.current[target] != nil }
    }
}

/// One HTTP scrape: Prometheus' request headers, its timeout, and the body read as the format the
/// response names.
enum ScrapeFetch {
    static let maxBodyBytes = 64 << 20

    static func fetch(_ target: ScrapeTarget, client: HTTPClient) async -> ScrapeRound.Outcome {
        var request = HTTPClientRequest(url: target.url)
        request.headers.add(name: "Accept", value: ExpositionFormat.acceptHeader)
        request.headers.add(name: "User-Agent", value: "Surge")
        let timeoutSeconds = target.timeout.inSeconds
        request.headers.add(name: "X-Prometheus-Scrape-Timeout-Seconds", value: String(timeoutSeconds))
        if target.scheme == "https", let tls = target.tls {
            do {
                request.tlsConfiguration = try tls.makeConfiguration()
            } catch {
                return .failure(error.message)
            }
        }
        if let authorization = target.authorization {
            switch authorization.headerValue(readFile: { try? String(contentsOfFile: $0, encoding: .utf8) }) {
            case .success(let value): request.headers.add(name: "Authorization", value: value)
            case .failure(let error): return .failure(error.message)
            }
        }
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
            guard response.status.code == 200 else {
                return .failure("server returned HTTP status \(response.status.code) \(response.status.reasonPhrase)")
            }
            let body = try await response.body.collect(upTo: maxBodyBytes)
            let format = ExpositionFormat(contentType: response.headers.first(name: "Content-Type"))
            return .success(try ExpositionParser.parse(Array(buffer: body), format: format))
        } catch let error as ExpositionError {
            return .failure("parse error: \(error)")
        } catch {
            return .failure(describe(error))
        }
    }

    /// TLS failures arrive as BoringSSL codes; say what they mean for a scrape configuration.
    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "TLS handshake failed: the server's certificate is not signed by a trusted CA or not valid for this address (tls_config ca_file); \(text)"
        }
        return text
    }
}
