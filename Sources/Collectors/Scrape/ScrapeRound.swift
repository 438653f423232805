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
        /// The body as fetched, read here against the cache of series texts.
        case body([UInt8], ExpositionFormat)
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
    /// neither parsed, nor given the target's labels, nor relabelled again. Series are found by the
    /// text they are written as (a body) or by their labels (a parsed exposition).
    private struct Entry {
        var labels: Labels?
        var scrape: UInt64
        var text: [UInt8]?
        var scraped: Labels
    }
    private var entries: [Entry] = []
    private var byText: [Int: [Int]] = [:]
    private var byLabels: [Labels: Int] = [:]
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
        var added = 0
        // Each sample's entry, value and timestamp, taken in only once the whole body has been read.
        var read: [(entry: Int, value: Double, timestamp: Timestamp?)] = []
        switch outcome {
        case .failure(let message):
            error = message
        case .success(let exposition):
            read.reserveCapacity(exposition.samples.count)
            for sample in exposition.samples {
                read.append((byLabels[sample.labels] ?? newEntry(text: nil, scraped: sample.labels, added: &added), sample.value, sample.timestamp))
            }
        case .body(let bytes, let format):
            do {
                try ExpositionParser.parse(bytes, format: format, known: { text in entry(text: text) }) { series, value, timestamp in
                    switch series {
                    case .known(let entry):
                        read.append((entry, value, timestamp))
                    case .new(let text, let labels):
                        // The parser asked `known` for this text first: it is new to the cache.
                        read.append((newEntry(text: text.map(Array.init), scraped: labels, added: &added), value, timestamp))
                    }
                }
            } catch let failure {
                error = "parse error: \(failure)"
                read = []
                added = 0
            }
        }
        let scraped = read.count
        if error == nil {
            out.reserveCapacity(read.count + 5)
            var touched: [(entry: Int, before: UInt64)] = []
            for item in read {
                let before = entries[item.entry].scrape
                // Exposed twice in one scrape: the first one counts.
                guard before != now else { continue }
                entries[item.entry].scrape = now
                if sampleLimit > 0 { touched.append((item.entry, before)) }
                guard let labels = entries[item.entry].labels else { continue }
                kept += 1
                let timestamp = honorTimestamps ? item.timestamp ?? time : time
                out.append(SeriesSamples(labels: labels, samples: [Sample(timestamp: timestamp, value: item.value)]))
            }
            // As in Prometheus, the limit counts what is left after metric relabeling.
            if sampleLimit > 0 && kept > sampleLimit {
                error = "sample limit exceeded: \(kept) samples, limit \(sampleLimit)"
                out.removeAll()
                for (entry, before) in touched { entries[entry].scrape = before }
                kept = 0
                added = 0
            }
        }
        // Series the last scrape had and this one has not are marked stale, once.
        var gone: [Labels] = []
        for entry in entries where entry.scrape == now - 1 {
            if let labels = entry.labels { gone.append(labels) }
        }
        for labels in gone.sorted() {
            out.append(SeriesSamples(labels: labels, samples: [Sample(timestamp: time, value: StaleNaN.value)]))
        }
        // Series not exposed for two scrapes leave the cache.
        if now % 8 == 0 { forget(olderThan: now - 1) }
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

    private static func hash(_ text: ArraySlice<UInt8>) -> Int {
        var hasher = Hasher()
        text.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }

    private func entry(text: ArraySlice<UInt8>?) -> Int? {
        guard let text else { return nil }
        return byText[Self.hash(text)]?.first { entries[$0].text.map { $0.elementsEqual(text) } ?? false }
    }

    /// A series seen for the first time: its stored labels worked out once.
    private mutating func newEntry(text: [UInt8]?, scraped: Labels, added: inout Int) -> Int {
        if text == nil, let known = byLabels[scraped] { return known }
        let labels = relabel(attachTargetLabels(scraped))
        if labels != nil { added += 1 }
        let id = entries.count
        entries.append(Entry(labels: labels, scrape: 0, text: text, scraped: scraped))
        if let text { byText[Self.hash(text[...]), default: []].append(id) } else { byLabels[scraped] = id }
        return id
    }

    private mutating func forget(olderThan scrape: UInt64) {
        let kept = entries.filter { $0.scrape >= scrape }
        guard kept.count < entries.count else { return }
        entries = []
        byText = [:]
        byLabels = [:]
        for entry in kept {
            let id = entries.count
            entries.append(entry)
            if let text = entry.text { byText[Self.hash(text[...]), default: []].append(id) } else { byLabels[entry.scraped] = id }
        }
    }

    /// Staleness markers for everything the target exposed, synthetic series included, when the
    /// target goes away.
    public mutating func end(at time: Timestamp) -> [SeriesSamples] {
        let synthetic = ["up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added"]
            .map { Labels(targetLabels + [Label(metricNameLabel, $0)]) }
        let last = entries.filter { $0.scrape == scrape }.compactMap(\.labels).sorted()
        entries = []
        byText = [:]
        byLabels = [:]
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
