import Logging
import ServiceLifecycle
import TimeSeriesCore

/// Collects the node's metrics every `interval` and appends them straight into storage, stamped
/// with the collection time; series that vanish get a staleness marker. Stops on graceful shutdown,
/// marking everything it wrote stale.
public struct NodeCollectionService: Service {
    let collector: NodeCollector
    let appender: any SeriesAppender
    let interval: Duration
    let now: @Sendable () -> Timestamp
    let logger: Logger

    public init(collector: NodeCollector = NodeCollector(), appender: any SeriesAppender, interval: Duration,
                now: @escaping @Sendable () -> Timestamp, logger: Logger) {
        self.collector = collector
        self.appender = appender
        self.interval = interval
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        var staleness = SeriesStaleness()
        var reportedErrors = Set<String>()
        while !Task.isShuttingDownGracefully {
            let (samples, errors) = collector.collect()
            for error in errors where reportedErrors.insert(error).inserted {
                logger.warning("node collector cannot read a file; its metrics are left out", metadata: ["error": "\(error)"])
            }
            append(CollectionRound.series(samples, at: now(), staleness: &staleness))
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
        }
        let time = now()
        append(staleness.endAll().map { SeriesSamples(labels: $0, samples: [Sample(timestamp: time, value: StaleNaN.value)]) })
    }

    private func append(_ series: [SeriesSamples]) {
        guard !series.isEmpty else { return }
        do {
            let result = try appender.append(series)
            if let rejection = result.firstRejection {
                logger.warning("storage refused node samples", metadata: ["reason": "\(rejection)"])
            }
        } catch {
            logger.error("storing node samples failed", metadata: ["error": "\(error)"])
        }
    }
}
