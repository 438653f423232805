import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
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
        guard configs.contains(where: { !$0.targets.isEmpty }) else {
            try? await gracefulShutdown()
            return
        }
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                timeout: .init(connect: .seconds(5)), decompression: .enabled(limit: .size(ScrapeFetch.maxBodyBytes))))
        await withDiscardingTaskGroup { group in
            for config in configs {
                for target in config.targets {
                    status.register(target)
                    group.addTask { await scrapeLoop(target, config: config, client: client) }
                }
            }
        }
        try? await client.shutdown()
    }

    private func scrapeLoop(_ target: ScrapeTarget, config: ScrapeConfig, client: HTTPClient) async {
        var round = ScrapeRound(target: target, honorLabels: config.honorLabels, honorTimestamps: config.honorTimestamps,
                                sampleLimit: config.sampleLimit, metricRelabel: config.metricRelabelConfigs)
        let intervalMilliseconds = max(Int64(target.interval.components.seconds * 1000 + target.interval.components.attoseconds / 1_000_000_000_000_000), 1)
        let offset = Int64(abs(target.url.hashValue % Int(intervalMilliseconds)))
        var wait = Duration.milliseconds(offset)
        while !Task.isShuttingDownGracefully {
            let pause = wait
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            } catch {
                break
            }
            let started = ContinuousClock.now
            let time = now()
            let outcome = await ScrapeFetch.fetch(target, client: client)
            let duration = ContinuousClock.now - started
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            let result = round.process(outcome, at: time, duration: seconds)
            append(result.series, target: target)
            status.record(target, error: result.error, at: time, duration: seconds)
            wait = max(target.interval - duration, .milliseconds(1))
        }
        append(round.end(at: now()), target: target)
        status.remove(target)
    }

    private func append(_ series: [SeriesSamples], target: ScrapeTarget) {
        do {
            let result = try appender.append(series)
            if let rejection = result.firstRejection {
                logger.warning("storage refused scraped samples", metadata: ["target": "\(target.url)", "reason": "\(rejection)"])
            }
        } catch {
            logger.error("storing scraped samples failed", metadata: ["target": "\(target.url)", "error": "\(error)"])
        }
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
        let timeoutSeconds = Double(target.timeout.components.seconds) + Double(target.timeout.components.attoseconds) / 1e18
        request.headers.add(name: "X-Prometheus-Scrape-Timeout-Seconds", value: String(timeoutSeconds))
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
            return .failure("\(error)")
        }
    }
}
