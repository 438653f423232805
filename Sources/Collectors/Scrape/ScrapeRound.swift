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
    private var staleness = SeriesStaleness()
    private var everSeen = Set<Labels>()

    public init(target: ScrapeTarget, honorLabels: Bool = false, honorTimestamps: Bool = true, sampleLimit: Int = 0,
                metricRelabel: [RelabelRule] = []) {
        targetLabels = target.labels.map { Label($0.key, $0.value) }.sorted()
        self.honorLabels = honorLabels
        self.honorTimestamps = honorTimestamps
        self.sampleLimit = sampleLimit
        self.metricRelabel = metricRelabel
    }

    public mutating func process(_ outcome: Outcome, at time: Timestamp, duration: Double) -> Result {
        var out: [SeriesSamples] = []
        var current = Set<Labels>()
        var error: String?
        var scraped = 0
        var added = 0
        switch outcome {
        case .failure(let message):
            error = message
        case .success(let exposition):
            scraped = exposition.samples.count
            out.reserveCapacity(scraped + 5)
            for sample in exposition.samples {
                guard let labels = relabel(attachTargetLabels(sample.labels)) else { continue }
                guard current.insert(labels).inserted else { continue }
                if everSeen.insert(labels).inserted { added += 1 }
                let timestamp = honorTimestamps ? sample.timestamp ?? time : time
                out.append(SeriesSamples(labels: labels, samples: [Sample(timestamp: timestamp, value: sample.value)]))
            }
            // As in Prometheus, the limit counts what is left after metric relabeling.
            if sampleLimit > 0 && current.count > sampleLimit {
                error = "sample limit exceeded: \(current.count) samples, limit \(sampleLimit)"
                out.removeAll()
                current.removeAll()
                added = 0
            }
        }
        for gone in staleness.update(current) {
            out.append(SeriesSamples(labels: gone, samples: [Sample(timestamp: time, value: StaleNaN.value)]))
        }
        let kept = error == nil ? current.count : 0
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
        return (staleness.endAll() + synthetic).map { SeriesSamples(labels: $0, samples: [Sample(timestamp: time, value: StaleNaN.value)]) }
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
