import Foundation

/// How each variant fares in one window of every day (UTC), such as a morning ramp that recurs at
/// the same time: on how many of the days with demand in the window it was short of capacity, and
/// for how long in all.
public struct BacktestDailyWindow: Sendable, Equatable, Encodable {
    /// Seconds after midnight UTC where the window starts and ends (an end before the start wraps
    /// past midnight).
    public var start: Int
    public var end: Int
    /// Days with demand above zero inside the window.
    public var days: Int
    public var variants: [Variant]

    public struct Variant: Sendable, Equatable, Encodable {
        public var variant: String
        public var daysShort: Int
        public var underProvisionedSeconds: Double
    }

    /// "07:00-07:30" into seconds after midnight, or nil.
    public static func parse(_ text: String) -> (start: Int, end: Int)? {
        let parts = text.split(separator: "-")
        func clock(_ part: Substring) -> Int? {
            let fields = part.split(separator: ":")
            guard fields.count == 2, fields[1].count == 2, let hour = Int(fields[0]), let minute = Int(fields[1]),
                  (0...24).contains(hour), (0..<60).contains(minute), hour * 60 + minute <= 1440 else { return nil }
            return (hour * 60 + minute) * 60
        }
        guard parts.count == 2, let start = clock(parts[0]), let end = clock(parts[1]), start != end else { return nil }
        return (start, end)
    }

    public init(_ result: BacktestResult, start: Int, end: Int) {
        self.start = start
        self.end = end
        let timeline = result.timeline
        let capacity = result.options.capacityPerPod
        var demandDays = Set<Int>()
        var shortDays = Array(repeating: Set<Int>(), count: result.figures.count)
        var seconds = Array(repeating: 0.0, count: result.figures.count)
        for index in timeline.demand.indices {
            let time = timeline.start + Double(index) * timeline.step
            let ofDay = Int(time.truncatingRemainder(dividingBy: 86_400).rounded(.down))
            let inside = start < end ? (ofDay >= start && ofDay < end) : (ofDay >= start || ofDay < end)
            let demand = timeline.demand[index]
            guard inside, demand > 0 else { continue }
            // A window past midnight belongs to the day it started on.
            let day = Int((time / 86_400).rounded(.down)) - (start > end && ofDay < end ? 1 : 0)
            demandDays.insert(day)
            for variant in timeline.ready.indices where demand > Double(timeline.ready[variant][index]) * capacity {
                shortDays[variant].insert(day)
                seconds[variant] += timeline.step
            }
        }
        days = demandDays.count
        variants = result.variants.indices.map { Variant(variant: result.variants[$0], daysShort: shortDays[$0].count, underProvisionedSeconds: seconds[$0]) }
    }
}
