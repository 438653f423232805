import TimeSeriesCore
import WireFormat

/// What one scrape of a target stores, worked out without I/O: the scraped samples with the target's
/// labels attached (clashing scraped labels renamed `exported_<name>` unless `honor_labels`), the
/// sample limit, staleness markers for series the target stopped exposing (all of them when the
/// scrape fails), and Prometheus' synthetic series `up`, `scrape_duration_seconds`,
/// `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling` and `scrape_series_added`.
public struct ScrapeRound: Sendable {
    public enum Outcome: Sendable {
        case success(Exposition)
        case failure(String)
    }

    public struct Result: Sendable {
        public var series: [SeriesSamples]
        /// The error the target's status shows, nil when the scrape worked.
        public var error: String?
    }

    let targetLabels: [Label]
    let honorLabels: Bool
    let honorTimestamps: Bool
    let sampleLimit: Int
    let metricRelabel: [RelabelRule]
    /// Per series as the target exposes it, its labels as stored (nil: metric relabelling drops it)
    /// and the last scrape that had it, as Prometheus' scrape cache: a series scraped again is
    /// neither given the target's labels nor relabelled again.
    private var cache: [Labels: (labels: Labels?, scrape: UInt64)] = [:]
    /// Stored labels of the series the target exposed, and the last scrape that had each: the ones
    /// the last scrape had and this one has not get staleness markers.
    private var stored: [Labels: UInt64] = [:]
    private var scrape: UInt64 = 0

    public init(target: ScrapeTarget, honorLabels: Bool = false, honorTimestamps: Bool = true, sampleLimit: Int = 0,
                metricRelabel: [RelabelRule] = []) {
        targetLabels = target.labels.map { Label($0.key, $0.value) }.sorted()
        self.honorLabels = honorLabels
        self.honorTimestamps = honorTimestamps
        self.sampleLimit = sampleLimit
        self.metricRelabel = metricRelabel
    }

    public mutating func process(_ outcome: Outcome, at time: Timestamp, duration: Double) -> Result {
        scrape += 1
        let now = scrape
        var out: [SeriesSamples] = []
        var kept = 0
        var error: String?
        var scraped = 0
        var added = 0
        // Series stored for the first time by this scrape, undone if it breaks the sample limit.
        var fresh: [Labels] = []
        switch outcome {
        case .failure(let message):
            error = message
        case .success(let exposition):
            scraped = exposition.samples.count
            out.reserveCapacity(scraped + 5)
            for sample in exposition.samples {
                let labels: Labels
                if let entry = cache[sample.labels] {
                    // Exposed twice in one scrape: the first one counts.
                    guard entry.scrape != now else { continue }
                    cache[sample.labels]!.scrape = now
                    guard let known = entry.labels else { continue }
                    labels = known
                } else {
                    let made = relabel(attachTargetLabels(sample.labels))
                    cache[sample.labels] = (made, now)
                    guard let made else { continue }
                    labels = made
                    added += 1
                }
                // Two exposed series that come out the same after relabelling: the first counts.
                let before = stored.updateValue(now, forKey: labels)
                guard before != now else { continue }
                if before == nil && sampleLimit > 0 { fresh.append(labels) }
                kept += 1
                let timestamp = honorTimestamps ? sample.timestamp ?? time : time
                out.append(SeriesSamples(labels: labels, samples: [Sample(timestamp: timestamp, value: sample.value)]))
            }
            // As in Prometheus, the limit counts what is left after metric relabeling.
            if sampleLimit > 0 && kept > sampleLimit {
                error = "sample limit exceeded: \(kept) samples, limit \(sampleLimit)"
                out.removeAll()
                for labels in fresh { stored[labels] = nil }
                for (labels, seen) in stored where seen == now { stored[labels] = now - 1 }
                kept = 0
                added = 0
            }
        }
        // Series the last scrape had and this one has not are marked stale, once.
        var gone: [Labels] = []
        for (labels, seen) in stored where seen != now {
            if seen == now - 1 { gone.append(labels) }
            stored[labels] = nil
        }
        for labels in gone.sorted() {
            out.append(SeriesSamples(labels: labels, samples: [Sample(timestamp: time, value: StaleNaN.value)]))
        }
        // Exposed series not seen for two scrapes leave the cache.
        if now % 8 == 0 { cache = cache.filter { now - $0.value.scrape < 2 } }
        let synthetic: [(String, Double)] = [
            ("up", error == nil ? 1 : 0), ("scrape_duration_seconds", duration), ("scrape_samples_scraped", Double(scraped)),
            ("scrape_samples_post_metric_relabeling", Double(kept)), ("scrape_series_added", Double(added)),
        ]
        for (name, value) in synthetic {
            out.append(SeriesSamples(labels: Labels(targetLabels + [Label(metricNameLabel, name)]),
                                     samples: [Sample(timestamp: time, value: value)]))
        }
        return Result(series: out, error: error)
    }

    /// Staleness markers for everything the target exposed, synthetic series included, when the
    /// target goes away.
    public mutating func end(at time: Timestamp) -> [SeriesSamples] {
        let synthetic = ["up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added"]
            .map { Labels(targetLabels + [Label(metricNameLabel, $0)]) }
        let last = stored.filter { $0.value == scrape }.keys.sorted()
        stored = [:]
        return (last + synthetic).map { SeriesSamples(labels: $0, samples: [Sample(timestamp: time, value: StaleNaN.value)]) }
    }

    private func relabel(_ labels: Labels) -> Labels? {
        guard !metricRelabel.isEmpty else { return labels }
        let pairs = Dictionary(labels.pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        guard let relabeled = Relabeling.apply(metricRelabel, to: pairs), relabeled[metricNameLabel].map({ !$0.isEmpty }) == true else {
            return nil
        }
        return Labels(relabeled)
    }

    private func attachTargetLabels(_ scraped: Labels) -> Labels {
        var pairs = scraped.pairs
        for target in targetLabels {
            if let index = pairs.firstIndex(where: { $0.name == target.name }) {
                if honorLabels { continue }
                let existing = pairs.remove(at: index)
                var name = "exported_" + existing.name
                while pairs.contains(where: { $0.name == name }) { name = "exported_" + name }
                pairs.append(Label(name, existing.value))
            }
            pairs.append(target)
        }
        return Labels(pairs.filter { !$0.value.isEmpty })
    }
}
