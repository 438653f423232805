import Synchronization

/// What a metric family is, as exposition formats and remote-write carry it.
public struct MetricMetadata: Hashable, Sendable {
    /// The metric types of Prometheus' metadata API, named as it prints them.
    public enum Kind: String, Sendable, CaseIterable {
        case unknown, counter, gauge, histogram, gaugehistogram, summary, info, stateset

        /// The protobuf enum value of remote-write 1.0's MetricMetadata.type and 2.0's Metadata.type,
        /// which number the types alike (0 being unknown or unspecified).
        public init(protobuf value: Int) {
            switch value {
            case 1: self = .counter
            case 2: self = .gauge
            case 3: self = .histogram
            case 4: self = .gaugehistogram
            case 5: self = .summary
            case 6: self = .info
            case 7: self = .stateset
            default: self = .unknown
            }
        }

        public var protobufValue: Int { Self.allCases.firstIndex(of: self)! }
    }

    public var type: Kind
    public var help: String
    public var unit: String

    public init(type: Kind, help: String = "", unit: String = "") {
        self.type = type
        self.help = help
        self.unit = unit
    }
}

/// The metadata seen per metric family name, newest first, as `/api/v1/metadata` serves it. Bounded:
/// at most `maxPerMetric` distinct entries per name and `maxMetrics` names; beyond that new entries are
/// not kept.
public final class MetricMetadataStore: Sendable {
    private let entries = Mutex<[String: [MetricMetadata]]>([:])
    public let maxMetrics: Int
    public let maxPerMetric: Int

    public init(maxMetrics: Int = 100_000, maxPerMetric: Int = 10) {
        self.maxMetrics = maxMetrics
        self.maxPerMetric = maxPerMetric
    }

    public func record(_ metadata: MetricMetadata, for name: String) {
        guard !name.isEmpty else { return }
        entries.withLock { entries in
            if var known = entries[name] {
                if let index = known.firstIndex(of: metadata) {
                    if index == 0 { return }
                    known.remove(at: index)
                } else if known.count >= maxPerMetric {
                    known.removeLast()
                }
                known.insert(metadata, at: 0)
                entries[name] = known
            } else if entries.count < maxMetrics {
                entries[name] = [metadata]
            }
        }
    }

    /// Names in order with their entries; `metric` picks one name, `limit` caps the names and
    /// `limitPerMetric` the entries of each (negative or nil: no cap).
    public func lookup(metric: String? = nil, limit: Int? = nil, limitPerMetric: Int? = nil) -> [(name: String, metadata: [MetricMetadata])] {
        let snapshot = entries.withLock { $0 }
        var names = metric.map { snapshot[$0] == nil ? [] : [$0] } ?? snapshot.keys.sorted()
        if let limit, limit >= 0 { names = Array(names.prefix(limit)) }
        return names.map { name in
            var list = snapshot[name]!
            if let limitPerMetric, limitPerMetric >= 0 { list = Array(list.prefix(limitPerMetric)) }
            return (name, list)
        }
    }
}
