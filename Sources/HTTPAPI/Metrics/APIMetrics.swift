import Prometheus

/// Surge's own metrics about its HTTP surface and ingestion, kept in a registry that /metrics emits.
public struct APIMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let samplesIngested: Counter
    let seriesCreated: Counter
    let histogramsDropped: Counter
    public let process: ProcessMetrics

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        process = ProcessMetrics(registry: registry)
        samplesIngested = registry.makeCounter(
            name: "surge_samples_ingested_total", help: "Samples appended to storage by remote-write.")
        seriesCreated = registry.makeCounter(
            name: "surge_series_created_total", help: "Series created in storage by remote-write.")
        histogramsDropped = registry.makeCounter(
            name: "surge_remote_write_histograms_dropped_total", help: "Native histogram samples received but not stored yet.")
    }

    func writeRequest(code: Int) {
        registry.makeCounter(
            name: "surge_remote_write_requests_total", labels: [("code", String(code))],
            help: "Remote-write requests by HTTP status code."
        ).increment()
    }

    func rejectedSamples(_ count: Int, reason: String) {
        guard count > 0 else { return }
        registry.makeCounter(
            name: "surge_remote_write_rejected_samples_total", labels: [("reason", reason)],
            help: "Samples refused by remote-write, by reason."
        ).increment(by: Int64(count))
    }

    func requestDuration(handler: String, seconds: Duration) {
        registry.makeDurationHistogram(
            name: "surge_http_request_duration_seconds", labels: [("handler", handler)],
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100),
                      .milliseconds(250), .seconds(1), .seconds(5), .seconds(30)],
            help: "Latency of HTTP requests by handler."
        ).recordNanoseconds(seconds.nanoseconds)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
