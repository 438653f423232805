import Synchronization
import TimeSeriesCore
import WireFormat

/// The newest round of each collector job, as the component it replaces would serve it: the samples
/// without target labels (a scraper adds its own), keyed by the path Surge serves them on.
public final class LatestCollections: Sendable {
    public struct Round: Sendable {
        public var target: CollectorTarget
        public var samples: [CollectedSample]
        public var time: Timestamp
    }

    private let rounds = Mutex<[String: Round]>([:])

    public init() {}

    func record(_ samples: [CollectedSample], target: CollectorTarget, at time: Timestamp) {
        rounds.withLock { $0[target.path] = Round(target: target, samples: samples, time: time) }
    }

    public func round(at path: String) -> Round? {
        rounds.withLock { $0[path] }
    }

    public var paths: [String] { rounds.withLock { $0.keys.sorted() } }
}

extension LatestCollections.Round {
    /// The round grouped into metric families in name order, each series once (the first of a
    /// repeated one, as storage keeps it), stamped with the collection time when the target does.
    public var families: [ExpositionFamily] {
        var byName: [String: [ExpositionSample]] = [:]
        var seen = Set<Labels>()
        for sample in samples {
            let labels = sample.labelSet
            guard seen.insert(labels).inserted else { continue }
            byName[sample.name, default: []].append(ExpositionSample(labels: labels, value: sample.value, timestamp: target.timestamps ? time : nil))
        }
        return byName.keys.sorted().map { name in
            ExpositionFamily(name: name, metadata: CollectorMetricCatalog.metadata(for: name), samples: byName[name]!.sorted { $0.labels < $1.labels })
        }
    }
}
