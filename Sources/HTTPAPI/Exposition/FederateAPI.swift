import TimeSeriesCore
import WireFormat

/// `/federate` as Prometheus serves it: for every series matching any `match[]` selector, its newest
/// sample within the lookback window (none when that sample is a staleness marker), with its own
/// timestamp, external labels added where the series lacks them; families in name order, each
/// `untyped`, in text format 0.0.4.
public struct FederateAPI: Sendable {
    let querier: any SeriesQuerier
    let lookbackDelta: Int64
    let externalLabels: [String: String]
    let now: @Sendable () -> Timestamp

    public init(querier: any SeriesQuerier, lookbackDelta: Int64, externalLabels: [String: String], now: @escaping @Sendable () -> Timestamp) {
        self.querier = querier
        self.lookbackDelta = lookbackDelta
        self.externalLabels = externalLabels
        self.now = now
    }

    /// The exposition, or an error naming the selector that is not one.
    func families(matches: [String]) throws(APIError) -> [ExpositionFamily] {
        let sets = try QueryAPI.matcherSets(matches)
        let maxt = now()
        var latest: [Labels: Sample] = [:]
        for matchers in sets {
            for series in querier.select(matchers, mint: maxt - lookbackDelta, maxt: maxt) where latest[series.labels] == nil {
                guard let last = series.samples.last, !StaleNaN.isStale(last.value) else { continue }
                latest[series.labels] = last
            }
        }
        var byName: [String: [ExpositionSample]] = [:]
        for (labels, sample) in latest {
            var pairs = labels.pairs
            for (name, value) in externalLabels where labels[name] == nil { pairs.append(Label(name, value)) }
            byName[labels.metricName ?? "", default: []].append(ExpositionSample(labels: Labels(pairs), value: sample.value, timestamp: sample.timestamp))
        }
        return byName.keys.sorted().map { name in
            ExpositionFamily(name: name, metadata: MetricMetadata(type: .unknown), samples: byName[name]!.sorted { $0.labels < $1.labels })
        }
    }
}
