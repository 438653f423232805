import Collectors
import Forwarding
import HTTPAPI
import Prometheus
import Rules
import ScalingRuntime
import Storage
import TimeSeriesCore
import WireFormat

/// Surge's figures about itself on /metrics: storage's gauges and since-start counters, the scaling
/// policies' and rule groups' figures, refreshed before each emission from the parts that keep them.
struct OwnMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let counters: CounterTotals
    let api: APIMetrics
    let rules: RuleMetrics
    let headSeries: Gauge
    let walBytes: Gauge
    let chunkBytes: Gauge
    let blocks: Gauge
    let blockBytes: Gauge
    let diskFull: Gauge

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        counters = CounterTotals(registry: registry)
        api = APIMetrics(registry: registry)
        rules = RuleMetrics(registry: registry, counters: counters)
        headSeries = registry.makeGauge(name: "surge_head_series", help: "Series in the in-memory head.")
        walBytes = registry.makeGauge(name: "surge_wal_size_bytes", help: "Bytes in the write-ahead log's segments.")
        chunkBytes = registry.makeGauge(name: "surge_head_chunk_bytes", help: "Bytes of compressed samples in the head.")
        blocks = registry.makeGauge(name: "surge_blocks", help: "Persisted blocks.")
        blockBytes = registry.makeGauge(name: "surge_blocks_size_bytes", help: "Bytes of the persisted blocks.")
        diskFull = registry.makeGauge(name: "surge_storage_disk_full", help: "1 while storage writes fail because the disk is full, 0 once a write succeeds.")
    }

    /// `surge_remote_storage_*`, in the shape of Prometheus' `prometheus_remote_storage_*`, per
    /// receiver (`remote_name`, `url`).
    func publish(_ forwarding: ForwardingStats, receivers: [RemoteWriteTarget]) {
        let all = forwarding.all
        for target in receivers {
            let name = target.receiver.name
            let figures = all[name] ?? ForwardingStats.Figures()
            let labels = [("remote_name", name), ("url", target.url)]
            counters.set("surge_remote_storage_samples_read_total", labels: labels, help: "Samples read from the write-ahead log for the receiver.", to: figures.read)
            counters.set("surge_remote_storage_samples_sent_total", labels: labels, help: "Samples the receiver acknowledged.", to: figures.sent)
            counters.set("surge_remote_storage_samples_retried_total", labels: labels, help: "Samples sent again after a 5xx, a 429 or no answer.", to: figures.retried)
            counters.set("surge_remote_storage_samples_failed_total", labels: labels, help: "Samples the receiver refused for good (4xx); dropped.", to: figures.failed)
            registry.makeGauge(name: "surge_remote_storage_samples_pending", labels: labels, help: "Samples read but not yet acknowledged.")
                .set(Double(max(figures.read - figures.sent - figures.failed, 0)) as Double)
            let highestRead = Double(figures.highestRead) / 1000
            registry.makeGauge(name: "surge_remote_storage_highest_timestamp_in_seconds", labels: labels, help: "Newest sample timestamp read from the log.")
                .set(highestRead)
            let highestSent = Double(figures.highestSent) / 1000
            registry.makeGauge(name: "surge_remote_storage_queue_highest_sent_timestamp_seconds", labels: labels,
                               help: "Newest sample timestamp the receiver acknowledged.").set(highestSent)
            registry.makeGauge(name: "surge_remote_storage_shards", labels: labels, help: "Shards sending to the receiver at once.").set(Double(figures.shards))
            registry.makeGauge(name: "surge_remote_storage_shards_min", labels: labels, help: "queue_config's min_shards.").set(Double(target.receiver.queue.minShards))
            registry.makeGauge(name: "surge_remote_storage_shards_max", labels: labels, help: "queue_config's max_shards.").set(Double(target.receiver.queue.maxShards))
        }
    }

    func refresh(storage stats: DatabaseStats, decisions: ScalingDecisions, rules board: RuleStatusBoard) {
        headSeries.set(Double(stats.series))
        walBytes.set(Double(stats.walBytes))
        chunkBytes.set(Double(stats.chunkBytes))
        blocks.set(Double(stats.blocks))
        blockBytes.set(Double(stats.blockBytes))
        diskFull.set(stats.diskFull ? 1.0 : 0.0)
        counters.set("surge_storage_damaged_chunk_reads_total", help: "Block chunk reads since start that failed their checksum; their samples were left out.",
                     to: stats.damagedChunkReads)
        for kind in ["wal", "head_chunks", "blocks"] {
            counters.set("surge_storage_write_failures_total", labels: [("file", kind)],
                         help: "Writes to the data directory that failed since start, by file (wal, head_chunks, blocks).", to: stats.writeFailures[kind] ?? 0)
        }
        for (reason, count) in stats.rejected {
            counters.set("surge_storage_rejected_samples_total", labels: [("reason", reason.rawValue)],
                         help: "Samples storage refused since start, by reason (limits, out of order, too old).", to: count)
        }
        decisions.publish(to: registry, counters: counters)
        rules.publish(board.groups)
        api.process.refresh()
    }
}

/// Surge's own /metrics as a collector job (Prometheus' scrape of itself): what /metrics would
/// answer, refreshed and parsed back into samples.
struct SelfScrapeSource: SampleSource {
    let registry: PrometheusCollectorRegistry
    let refresh: @Sendable () -> Void

    func collect() -> (samples: [CollectedSample], errors: [String]) {
        refresh()
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        do {
            let exposition = try ExpositionParser.parse(buffer, format: .text)
            return (exposition.samples.map { sample in
                CollectedSample(sample.labels.metricName ?? "", sample.labels.pairs.filter { $0.name != "__name__" }.map { ($0.name, $0.value) }, sample.value)
            }, [])
        } catch {
            return ([], ["/metrics: \(error)"])
        }
    }
}
