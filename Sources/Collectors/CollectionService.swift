import Logging
import ServiceLifecycle
import TimeSeriesCore

/// Something that reads samples by itself each round: the node's /proc, the cgroup hierarchy.
public protocol SampleSource: Sendable {
    func collect() -> (samples: [CollectedSample], errors: [String])
}

extension NodeCollector: SampleSource {}
extension CgroupCollector: SampleSource {}

/// Runs the sources every `interval` and appends what they read straight into storage, stamped
/// with the collection time; series that vanish get a staleness marker. Stops on graceful shutdown,
/// marking everything it wrote stale.
public struct CollectionService: Service {
    let sources: [any SampleSource]
    let appender: any SeriesAppender
    let interval: Duration
    let clock: any LoopClock
    let logger: Logger

    public init(sources: [any SampleSource], appender: any SeriesAppender, interval: Duration,
                clock: any LoopClock = SystemClock(), logger: Logger) {
        self.sources = sources
        self.appender = appender
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        var staleness = SeriesStaleness()
        var reportedErrors = Set<String>()
        while !Task.isShuttingDownGracefully {
            var samples: [CollectedSample] = []
            for source in sources {
                let (read, errors) = source.collect()
                samples += read
                for error in errors where reportedErrors.insert(error).inserted {
                    logger.warning("a collector cannot read a file; its metrics are left out", metadata: ["error": "\(error)"])
                }
            }
            append(CollectionRound.series(samples, at: clock.now, staleness: &staleness))
            do {
                try await cancelWhenGracefulShutdown { [clock, interval] in try await clock.sleep(for: interval) }
            } catch {
                break
            }
        }
        let time = clock.now
        append(staleness.endAll().map { SeriesSamples(labels: $0, samples: [Sample(timestamp: time, value: StaleNaN.value)]) })
    }

    private func append(_ series: [SeriesSamples]) {
        appender.store(series, logger: logger, metadata: [:])
    }
}

extension SeriesAppender {
    /// Appends what a collector produced; refusals and failures are logged, since a collector has
    /// nobody to answer to and must carry on with its next round.
    func store(_ series: [SeriesSamples], logger: Logger, metadata: Logger.Metadata) {
        guard !series.isEmpty else { return }
        do {
            let result = try append(series)
            if let rejection = result.firstRejection {
                logger.warning("storage refused collected samples", metadata: metadata.merging(["reason": "\(rejection)"]) { $1 })
            }
        } catch {
            logger.error("storing collected samples failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }
}
