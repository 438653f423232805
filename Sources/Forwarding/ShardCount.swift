/// How many shards a queue should run, as Prometheus' remote-write resharding reckons it: the time
/// sending takes per sample times the samples arriving per second, plus enough to catch up a
/// backlog within the delay it has built; changes smaller than 30 % are not made (the queue does
/// not flap), and the result stays within the settings' bounds.
public struct ShardCount: Sendable, Equatable {
    /// Exponentially weighted rates, updated every `interval` seconds.
    public private(set) var samplesIn = EWMA()
    public private(set) var samplesOut = EWMA()
    public private(set) var sendSeconds = EWMA()
    public let interval: Double

    public init(interval: Double = 10) {
        self.interval = interval
    }

    /// Feeds one interval's counts: samples read in, samples sent, and seconds spent sending (summed
    /// over shards), over `seconds` (default: the interval).
    public mutating func tick(samplesIn newIn: Double, samplesOut newOut: Double, sendSeconds newSeconds: Double, over seconds: Double? = nil) {
        let span = max(seconds ?? interval, 0.001)
        samplesIn.update(newIn / span)
        samplesOut.update(newOut / span)
        sendSeconds.update(newSeconds / span)
    }

    /// The shards wanted now, given the current count and how far (seconds) the newest sample sent
    /// trails the newest sample read.
    public func desired(current: Int, delaySeconds: Double, settings: RemoteWriteQueueSettings) -> Int {
        guard samplesOut.rate > 0, samplesIn.rate > 0 else { return min(max(current, settings.minShards), settings.maxShards) }
        let timePerSample = sendSeconds.rate / samplesOut.rate
        // Catch up 5 % of the backlog per second, as Prometheus does.
        let backlog = max(delaySeconds, 0) * samplesIn.rate * 0.05
        let wanted = timePerSample * (samplesIn.rate + backlog)
        let lower = Double(current) * 0.7, upper = Double(current) * 1.3
        var shards = current
        if wanted < lower || wanted > upper { shards = Int(wanted.rounded(.up)) }
        return min(max(shards, settings.minShards), settings.maxShards)
    }
}

/// An exponentially weighted moving average of a rate, weighting each new interval by 0.2.
public struct EWMA: Sendable, Equatable {
    public private(set) var rate = 0.0
    private var initialised = false
    public let weight: Double

    public init(weight: Double = 0.2) {
        self.weight = weight
    }

    public mutating func update(_ value: Double) {
        if initialised {
            rate += weight * (value - rate)
        } else {
            rate = value
            initialised = true
        }
    }
}
