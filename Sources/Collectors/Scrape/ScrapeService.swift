import AsyncHTTPClient
import Foundation
import Kubernetes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import ServiceLifecycle
import Synchronization
import TimeSeriesCore
import WireFormat

/// Scrapes every target of the configured jobs on its interval and appends what it read straight
/// into storage. Each target has its own loop, scraping at a fixed phase of its interval
/// (`ScrapeSchedule`) so targets do not all fire at once; each job's discovery follows
/// `ScrapePool`. On shutdown every target's series are marked stale.
public struct ScrapeService: Service {
    let configs: [ScrapeConfig]
    let appender: any SeriesAppender
    let status: ScrapeTargetsStatus
    let clock: any LoopClock
    let logger: Logger

    public init(configs: [ScrapeConfig], appender: any SeriesAppender, status: ScrapeTargetsStatus,
                clock: any LoopClock = SystemClock(), logger: Logger) {
        self.configs = configs
        self.appender = appender
        self.status = status
        self.clock = clock
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

    /// One job: keeps a loop running for each of its current targets, re-resolving them when its
    /// discovery changes. Loops of targets that went away end with staleness markers; new targets
    /// get loops.
    private func pool(_ config: ScrapeConfig, client: HTTPClient) async {
        let wanted = WantedTargets()
        let kubernetes = config.kubernetesSDConfigs.map(KubernetesDiscovery.init(config:))
        let (events, sink) = AsyncStream.makeStream(of: ScrapePool.Event.self, bufferingPolicy: .bufferingNewest(8))
        await withDiscardingTaskGroup { group in
            for discovery in kubernetes {
                group.addTask {
                    try? await cancelWhenGracefulShutdown {
                        await discovery.run(httpClient: client, job: config.jobName, logger: logger) { sink.yield(.kubernetesChanged) }
                    }
                }
            }
            var pool = ScrapePool(hasFiles: !config.fileSDConfigs.isEmpty,
                                  refresh: (config.fileSDConfigs.map(\.refreshInterval).min() ?? .seconds(300)).inMilliseconds)
            var fileGroups: [ScrapeConfig.StaticGroup] = []
            var reportedErrors = Set<String>()
            var pending = events.makeAsyncIterator()
            var timer: Task<Void, Never>?
            var event = ScrapePool.Event.start
            // Shutdown ends the wait for the next event.
            await withGracefulShutdownHandler {
                while !Task.isShuttingDownGracefully {
                    let step = pool.next(event, signature: FileDiscovery.signature(config.fileSDConfigs), now: clock.now)
                    if step.readFiles {
                        let (groups, errors) = FileDiscovery.read(config.fileSDConfigs)
                        for error in errors where reportedErrors.insert(error).inserted {
                            logger.warning("file_sd cannot read a target file", metadata: ["job": "\(config.jobName)", "error": "\(error)"])
                        }
                        fileGroups = groups
                    }
                    if step.resolve {
                        let resolved = config.resolveTargets(discovered: fileGroups + kubernetes.flatMap(\.groups))
                        status.setDropped(resolved.dropped, pool: config.jobName)
                        for (target, generation) in wanted.replace(with: Set(resolved.active)) {
                            status.register(target)
                            group.addTask { await scrapeLoop(target, config: config, client: client, wanted: wanted, generation: generation) }
                        }
                    }
                    timer?.cancel()
                    if let wakeAt = step.wakeAt {
                        timer = Task { [clock] in
                            if (try? await clock.sleep(until: wakeAt)) != nil { sink.yield(.wake) }
                        }
                    }
                    guard let next = await pending.next() else { break }
                    event = next
                }
            } onGracefulShutdown: {
                sink.finish()
            }
            timer?.cancel()
            sink.finish()
        }
    }

    private func scrapeLoop(_ target: ScrapeTarget, config: ScrapeConfig, client: HTTPClient, wanted: WantedTargets, generation: Int) async {
        var round = ScrapeRound(target: target, honorLabels: config.honorLabels, honorTimestamps: config.honorTimestamps,
                                sampleLimit: config.sampleLimit, metricRelabel: config.metricRelabelConfigs)
        let schedule = ScrapeSchedule(target: target)
        var scheduled = schedule.first(atOrAfter: clock.now)
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { [clock, scheduled] in try await clock.sleep(until: scheduled) }
            } catch {
                break
            }
            if !wanted.isCurrent(target, generation) { break }
            let started = clock.nanoseconds
            let time = clock.now
            let outcome = await ScrapeFetch.fetch(target, client: client)
            let seconds = clock.seconds(since: started)
            let result = round.process(outcome, at: time, duration: seconds)
            append(result.series, target: target)
            status.record(target, error: result.error, at: time, duration: seconds)
            scheduled = schedule.next(after: scheduled, now: clock.now)
        }
        append(round.end(at: clock.now), target: target)
        if !wanted.contains(target) { status.remove(target) }
    }

    private func append(_ series: [SeriesSamples], target: ScrapeTarget) {
        appender.store(series, logger: logger, metadata: ["target": "\(target.url)"])
    }
}

/// The targets a job currently has (`TargetGenerations`), shared by its loops so each notices when
/// it is no longer wanted.
final class WantedTargets: Sendable {
    private let state = Mutex(TargetGenerations())

    /// Makes `targets` the wanted set; returns the ones that need a new loop, with their generation.
    func replace(with targets: Set<ScrapeTarget>) -> [(ScrapeTarget, Int)] {
        state.withLock { $0.replace(with: targets).started }
    }

    func isCurrent(_ target: ScrapeTarget, _ generation: Int) -> Bool {
        state.withLock { $0.current[target] == generation }
    }

    func contains(_ target: ScrapeTarget) -> Bool {
        state.withLock { $0.current[target] != nil }
    }
}

/// One HTTP scrape: Prometheus' request headers, its timeout, and the body with the format the
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
            // Read in the target's round, against its cache of series texts.
            return .body(Array(buffer: body), format)
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
