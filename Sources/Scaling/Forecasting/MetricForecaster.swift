import Foundation

/// Learns one metric's seasonal shape from observations as they arrive and forecasts its peak over a
/// coming interval. Observations are averaged into buckets of the resolution; the model is refitted
/// once a day from the kept history and updated bucket by bucket in between.
public struct MetricForecaster: Sendable {
    public let settings: PredictiveSettings
    let seasonLengths: [Int]
    let historyBuckets: Int
    let refitEvery: Int
    /// Completed bucket means, oldest first, and the bucket index of the first.
    private(set) var buckets: [Double] = []
    private var firstBucket = 0
    private var current: (index: Int, sum: Double, count: Int)?
    private var model: HoltWinters?
    private var bucketsSinceFit = 0

    public init(settings: PredictiveSettings) {
        self.settings = settings
        seasonLengths = settings.seasons.map { Int(($0 / settings.resolutionSeconds).rounded()) }
        historyBuckets = max(Int((settings.historySeconds / settings.resolutionSeconds).rounded()), (seasonLengths.max() ?? 1) * 2)
        refitEvery = max(Int((86_400 / settings.resolutionSeconds).rounded()), 1)
    }

    /// Buckets needed before forecasting: the longest season plus the shortest, so the fit has a
    /// season's worth of errors to judge by.
    public var bucketsNeeded: Int { (seasonLengths.max() ?? 1) + (seasonLengths.min() ?? 1) }
    public var isReady: Bool { model != nil }

    func bucketIndex(_ date: Date) -> Int { Int((date.timeIntervalSince1970 / settings.resolutionSeconds).rounded(.down)) }

    public mutating func observe(_ value: Double, at date: Date) {
        guard value.isFinite else { return }
        let index = bucketIndex(date)
        if var open = current {
            if index == open.index {
                open.sum += value
                open.count += 1
                current = open
                return
            }
            guard index > open.index else { return }
            close(open.sum / Double(open.count), index: open.index)
            // Buckets without observations repeat the last mean.
            for missing in (open.index + 1)..<index where missing < open.index + historyBuckets {
                close(open.sum / Double(open.count), index: missing)
            }
        }
        current = (index, value, 1)
    }

    private mutating func close(_ mean: Double, index: Int) {
        if buckets.isEmpty { firstBucket = index }
        buckets.append(mean)
        if buckets.count > historyBuckets {
            buckets.removeFirst(buckets.count - historyBuckets)
            firstBucket = index - historyBuckets + 1
        }
        bucketsSinceFit += 1
        if model != nil && bucketsSinceFit < refitEvery {
            model!.update(mean)
        } else if buckets.count >= bucketsNeeded && (model == nil || bucketsSinceFit >= refitEvery) {
            model = HoltWinters.fit(buckets, seasonLengths: seasonLengths)
            bucketsSinceFit = 0
        }
    }

    /// The highest forecast bucket mean from `start` through `end`, or nil before the model is ready.
    public func peak(from start: Date, through end: Date) -> Double? {
        guard let model else { return nil }
        let lastTaken = firstBucket + buckets.count - 1
        let first = max(bucketIndex(start), lastTaken + 1)
        let last = max(bucketIndex(end), first)
        var peak = -Double.infinity
        for index in first...last {
            peak = max(peak, model.forecast(stepsAhead: index - lastTaken))
        }
        return peak
    }
}
