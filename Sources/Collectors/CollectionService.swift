import Logging
import ServiceLifecycle
import TimeSeriesCore

/// Something that reads samples by itself each round: the node's /proc, the cgroup hierarchy.
public protocol SampleSource: Sendable {
    func collect() -> (samples: [CollectedSample], errors: [String])
}

extension NodeCollector: SampleSource {}
extension CgroupCollector: SampleSource {}

/// Runs the collector jobs every `interval` and appends what they read straight into storage, stamped
/// with the collection time and labelled as their scrape targets, with each job's `up` and
/// `scrape_*` series; series that vanish get a staleness marker. The newest round of each job is
/// kept for its scrape endpoint. Stops on graceful shutdown, marking everything it wrote stale.
public struct CollectionService: Service {
    let jobs: [CollectorJob]
    let appender: any SeriesAppender
    let latest: LatestCollections?
    let interval: Duration
    let clock: any LoopClock
    let logger: Logger

    public init(jobs: [CollectorJob], appender: any SeriesAppender, latest: LatestCollections? = nil, interval: Duration,
                clock: any LoopClock = SystemClock(), logger: Logger) {
        self.jobs = jobs
        self.appender = appender
        self.latest = latest
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        var staleness = jobs.map { _ in SeriesStaleness() }
        var reportedErrors = Set<String>()
        while !Task.isShuttingDownGracefully {
            for (index, job) in jobs.enumerated() {
                let start = ContinuousClock.now
                let (read, errors) = job.source.collect()
                let elapsed = ContinuousClock.now - start
                for error in errors where reportedErrors.insert(error).inserted {
                    logger.warning("a collector cannot read a file; its metrics are left out", metadata: ["job": "\(job.target.job)", "error": "\(error)"])
                }
                let time = clock.now
                latest?.record(read, target: job.target, at: time)
                let labelled = CollectorJobRound.labelled(read, target: job.target)
                let added = staleness[index].unseen(in: Set(labelled.map(\.labelSet)))
                let report = CollectorJobRound.report(scraped: read.count, errors: errors, seconds: elapsed.inSeconds, seriesAdded: added, target: job.target)
                append(CollectionRound.series(labelled + report, at: time, staleness: &staleness[index]))
            }
            do {
                try await cancelWhenGracefulShutdown { [clock, interval] in try await clock.sleep(for: interval) }
            } catch {
                break
            }
        }
        let time = clock.now
        for index in staleness.indices {
            append(staleness[index].endAll().map { SeriesSamples(labels: $0, samples: [Sample(timestamp: time, value: StaleNaN.value)]) })
        }
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
