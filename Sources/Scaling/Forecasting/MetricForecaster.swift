import Foundation

/// Learns one metric's seasonal shape from observations as they arrive and forecasts its peak over a
/// coming interval. Observations are gathered into buckets of the resolution. The profile method
/// keeps each bucket's highest value and reads them directly, so a ramp inside a bucket is covered
/// from the bucket's start; Holt-Winters keeps bucket means, refitted once a day from them and
/// updated bucket by bucket in between.
public struct MetricForecaster: Sendable {
    public let settings: PredictiveSettings
    let seasonLengths: [Int]
    let historyBuckets: Int
    let refitEvery: Int
    /// Completed bucket means, oldest first, and the bucket index of the first.
    private(set) var buckets: [Double] = []
    private var firstBucket = 0
    private var current: (index: Int, sum: Double, count: Int, highest: Double)?
    private var model: HoltWinters?
    private var bucketsSinceFit = 0
    /// The profile's relative errors (actual / forecast - 1) over the last week of buckets, oldest first.
    private(set) var errors: [Double] = []
    /// The last few buckets' actual values and what the profile had forecast for them, oldest first:
    /// how far today runs above or below the usual.
    private(set) var recent: [(actual: Double, forecast: Double)] = []
    /// Buckets in `recent`: half an hour's worth, long enough that one noisy bucket moves the
    /// forecast little, short enough that a holiday is seen within minutes.
    let recentBuckets: Int

    public init(settings: PredictiveSettings) {
        self.settings = settings
        seasonLengths = settings.seasons.map { Int(($0 / settings.resolutionSeconds).rounded()) }
        historyBuckets = max(Int((settings.historySeconds / settings.resolutionSeconds).rounded()), (seasonLengths.max() ?? 1) * 2)
        refitEvery = max(Int((86_400 / settings.resolutionSeconds).rounded()), 1)
        recentBuckets = max(Int((1800 / settings.resolutionSeconds).rounded()), 1)
    }

    /// Buckets needed before forecasting: the longest season plus the shortest, so the fit has a
    /// season's worth of errors to judge by.
    public var bucketsNeeded: Int {
        settings.method == .profile ? dayBuckets : (seasonLengths.max() ?? 1) + (seasonLengths.min() ?? 1)
    }
    public var isReady: Bool { settings.method == .profile ? buckets.count >= dayBuckets : model != nil }
    var dayBuckets: Int { max(Int((86_400 / settings.resolutionSeconds).rounded()), 1) }
    var weekBuckets: Int { dayBuckets * 7 }

    func bucketIndex(_ date: Date) -> Int { Int((date.timeIntervalSince1970 / settings.resolutionSeconds).rounded(.down)) }

    public mutating func observe(_ value: Double, at date: Date) {
        guard value.isFinite else { return }
        let index = bucketIndex(date)
        if var open = current {
            if index == open.index {
                open.sum += value
                open.count += 1
                open.highest = max(open.highest, value)
                current = open
                return
            }
            guard index > open.index else { return }
            let closed = settings.method == .profile ? open.highest : open.sum / Double(open.count)
            close(closed, index: open.index)
            // Buckets without observations repeat the last value.
            for missing in (open.index + 1)..<index where missing < open.index + historyBuckets {
                close(closed, index: missing)
            }
        }
        current = (index, value, 1, value)
    }

    private mutating func close(_ mean: Double, index: Int) {
        if settings.method == .profile, let forecast = profile(at: index) {
            // Judged against the forecast as the floor used it: moved by the level shift.
            let shifted = max(forecast + levelShift, 0)
            if shifted > 0 {
                errors.append(mean / shifted - 1)
                if errors.count > weekBuckets { errors.removeFirst(errors.count - weekBuckets) }
            }
            recent.append((mean, forecast))
            if recent.count > recentBuckets { recent.removeFirst(recent.count - recentBuckets) }
        }
        if buckets.isEmpty { firstBucket = index }
        buckets.append(mean)
        if buckets.count > historyBuckets {
            buckets.removeFirst(buckets.count - historyBuckets)
            firstBucket = index - historyBuckets + 1
        }
        bucketsSinceFit += 1
        if settings.method == .profile { return }
        if model != nil && bucketsSinceFit < refitEvery {
            model!.update(mean)
        } else if buckets.count >= bucketsNeeded && (model == nil || bucketsSinceFit >= refitEvery) {
            model = HoltWinters.fit(buckets, seasonLengths: seasonLengths)
            bucketsSinceFit = 0
        }
    }

    /// The highest forecast bucket mean from `start` through `end`, with the headroom, or nil
    /// before the forecast is ready. The profile's forecast is moved by how far the last 30 minutes
    /// ran above or below what it had forecast for them: a holiday, or a weekend the profile does
    /// not know yet, lowers the floor within minutes instead of holding the usual day's pods all
    /// day, and a busier day than usual raises it. The shift is in units of the metric, not a
    /// ratio, so a few requests more or less before a morning ramp barely move the ramp's forecast.
    public func peak(from start: Date, through end: Date) -> Double? {
        guard isReady else { return nil }
        let lastTaken = firstBucket + buckets.count - 1
        let first = max(bucketIndex(start), lastTaken + 1)
        let last = max(bucketIndex(end), first)
        var peak = -Double.infinity
        for index in first...last {
            guard let value = settings.method == .profile ? profile(at: index) : model?.forecast(stepsAhead: index - lastTaken) else { continue }
            peak = max(peak, value)
        }
        guard peak.isFinite else { return nil }
        return max(peak + levelShift, 0) * (1 + headroom)
    }

    /// How far the recent buckets ran above (positive) or below the profile's forecast for them, on
    /// average; 0 for Holt-Winters, which follows the level itself.
    public var levelShift: Double {
        guard settings.method == .profile, !recent.isEmpty else { return 0 }
        return recent.reduce(0) { $0 + $1.actual - $1.forecast } / Double(recent.count)
    }

    /// The headroom in force: the configured one, or the quantile of recent shortfalls (0 to 100 %).
    public var headroom: Double {
        guard let quantile = settings.headroomQuantile else { return settings.headroom }
        guard !errors.isEmpty else { return settings.headroom }
        let sorted = errors.sorted()
        let position = min(Int((Double(sorted.count - 1) * quantile).rounded(.up)), sorted.count - 1)
        return min(max(sorted[position], 0), 1)
    }

    /// The profile's value for a bucket: with three or more past weeks, the median of the same
    /// bucket on the same weekday (up to four weeks); with one or two, those weeks and the median of
    /// the same time on the last seven days together (the larger with one, the median with two), so
    /// one odd week cannot erase a peak; before a week, the median of the same time on the past days.
    func profile(at index: Int) -> Double? {
        let lastTaken = firstBucket + buckets.count - 1
        func value(_ bucket: Int) -> Double? { bucket >= firstBucket && bucket <= lastTaken ? buckets[bucket - firstBucket] : nil }
        let daily = (1...7).compactMap { value(index - $0 * dayBuckets) }
        guard let days = Self.median(daily) else { return nil }
        guard settings.seasons.contains(where: { $0 >= 604_800 }) else { return days }
        let weekly = (1...4).compactMap { value(index - $0 * weekBuckets) }
        switch weekly.count {
        case 0: return days
        case 1: return max(weekly[0], days)
        case 2: return Self.median(weekly + [days])
        default: return Self.median(weekly)
        }
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
