import TimeSeriesCore

/// Turns one round of collected samples into what storage appends: every sample at the round's time,
/// plus a staleness marker for each series the previous round had and this one lacks.
public enum CollectionRound {
    public static func series(_ samples: [CollectedSample], at time: Timestamp, staleness: inout SeriesStaleness) -> [SeriesSamples] {
        var seen = Set<Labels>()
        var out: [SeriesSamples] = []
        out.reserveCapacity(samples.count)
        for sample in samples {
            let labels = sample.labelSet
            // A source that repeats a series keeps its first value, as a scrape would refuse the rest.
            guard seen.insert(labels).inserted else { continue }
            out.append(SeriesSamples(labels: labels, samples: [Sample(timestamp: time, value: sample.value)]))
        }
        for gone in staleness.update(seen) {
            out.append(SeriesSamples(labels: gone, samples: [Sample(timestamp: time, value: StaleNaN.value)]))
        }
        return out
    }
}
