import Foundation
import Testing
@testable import Scaling

/// Seasonal Holt-Winters and the forecaster that feeds it from observations.
@Suite struct ForecastTests {
    /// A day of 48 half-hours: a morning ramp, an evening peak, weekends lower.
    static func load(_ index: Int) -> Double {
        let hour = Double(index % 48) / 2
        let daily = 1000 + 600 * max(0, sin((hour - 6) / 16 * .pi)) + 300 * exp(-pow(hour - 19, 2) / 2)
        let weekend = (index / 48) % 7 >= 5 ? 0.7 : 1.0
        return daily * weekend
    }

    @Test func learnsADailyAndWeeklyShape() throws {
        let history = (0..<(48 * 21)).map(Self.load)
        let model = try #require(HoltWinters.fit(history, seasonLengths: [48, 336]))
        var worst = 0.0
        for h in 1...48 {
            let actual = Self.load(history.count + h - 1)
            worst = max(worst, abs(model.forecast(stepsAhead: h) - actual) / actual)
        }
        #expect(worst < 0.02, "worst relative error \(worst)")
        // With a day's season only, weekends surprise it: the error is larger.
        let daily = try #require(HoltWinters.fit(history, seasonLengths: [48]))
        let saturday = history.count + 48 * 5 - 1 + 24
        #expect(abs(daily.forecast(stepsAhead: 48 * 5 + 24) - Self.load(saturday)) > abs(model.forecast(stepsAhead: 48 * 5 + 24) - Self.load(saturday)))
    }

    @Test func holtWintersWaitsForEnoughHistoryThenForecastsThePeak() {
        let settings = PredictiveSettings(method: .holtWinters, headroom: 0, seasons: [86_400], historySeconds: 3 * 86_400, resolutionSeconds: 1800,
                                          podStartupSeconds: 90)
        var forecaster = MetricForecaster(settings: settings)
        let start = Date(timeIntervalSince1970: 1_767_225_600)  // a midnight
        var time = start
        var index = 0
        while index < 48 * 2 - 1 {
            // Two observations per bucket.
            forecaster.observe(Self.load(index), at: time)
            forecaster.observe(Self.load(index), at: time.addingTimeInterval(900))
            time.addTimeInterval(1800)
            index += 1
        }
        #expect(!forecaster.isReady && forecaster.peak(from: time, through: time) == nil)
        while index < 48 * 3 {
            forecaster.observe(Self.load(index), at: time)
            time.addTimeInterval(1800)
            index += 1
        }
        // Closing the last bucket needs one later observation.
        forecaster.observe(Self.load(index), at: time)
        #expect(forecaster.isReady)
        let peak = forecaster.peak(from: time, through: time.addingTimeInterval(4 * 3600))
        let actual = (index..<(index + 9)).map(Self.load).max()!
        #expect(abs(peak! - actual) / actual < 0.05, "peak \(peak!) actual \(actual)")
    }

    /// Feeds half-hour buckets `range` of `load` to a profile forecaster (two observations each).
    static func profile(_ range: Range<Int>, seasons: [Double], headroom: Double = 0, load: (Int) -> Double = load) -> (MetricForecaster, Date) {
        let settings = PredictiveSettings(method: .profile, headroom: headroom, seasons: seasons, historySeconds: 35 * 86_400, resolutionSeconds: 1800)
        var forecaster = MetricForecaster(settings: settings)
        let start = Date(timeIntervalSince1970: 1_767_225_600)  // a Thursday midnight
        var time = start.addingTimeInterval(Double(range.lowerBound) * 1800)
        for index in range {
            forecaster.observe(load(index), at: time)
            forecaster.observe(load(index), at: time.addingTimeInterval(900))
            time.addTimeInterval(1800)
        }
        // Closing the last bucket needs one later observation.
        forecaster.observe(load(range.upperBound), at: time)
        return (forecaster, time)
    }

    @Test func theProfileIsUsefulFromTheSecondDayWithItsHeadroom() {
        let (early, _) = Self.profile(0..<47, seasons: [86_400])
        #expect(!early.isReady)
        // One day seen: tomorrow's 09:00-11:00 is today's, plus the headroom.
        let (forecaster, time) = Self.profile(0..<48, seasons: [86_400], headroom: 0.1)
        #expect(forecaster.isReady)
        let peak = forecaster.peak(from: time.addingTimeInterval(9 * 3600), through: time.addingTimeInterval(11 * 3600 - 1))
        let expected = (18..<22).map(Self.load).max()! * 1.1
        #expect(abs(peak! - expected) < 1e-6, "peak \(String(describing: peak)) expected \(expected)")
    }

    /// Weekdays busy (1000) from 09:00 to 18:00 and idle (100) otherwise and on weekends; `holiday`
    /// is a weekday (an index of days) as idle as a weekend.
    static func office(holiday: Int?) -> (Int) -> Double {
        { index in
            let day = index / 48
            let weekday = (day + 3) % 7  // day 0 is a Thursday: 0 Monday ... 6 Sunday
            let hour = (index % 48) / 2
            return weekday < 5 && day != holiday && (9..<18).contains(hour) ? 1000 : 100
        }
    }

    @Test(arguments: [14, 21])
    func anOddDayNeitherErasesTheFloorLaterNorInflatesIt(weeks: Int) {
        // A Monday holiday (day 18) in the history, then a normal week: the Monday after the
        // holiday still gets its morning floor, and weekends stay low.
        let days = weeks + 4  // up to a Monday
        let load = Self.office(holiday: 18)
        let (forecaster, time) = Self.profile(0..<(days * 48), seasons: [86_400, 604_800], load: load)
        #expect((days + 3) % 7 == 0, "the next day is a Monday")
        let monday = forecaster.peak(from: time.addingTimeInterval(9 * 3600), through: time.addingTimeInterval(10 * 3600))
        #expect(monday == 1000, "\(String(describing: monday))")
        let saturday = forecaster.peak(from: time.addingTimeInterval(-2 * 86_400 + 9 * 3600), through: time.addingTimeInterval(-2 * 86_400 + 10 * 3600))
        #expect(saturday == nil || saturday! <= 1000)
        // A week later the holiday is one of the weeks behind every Monday: the floor holds.
        let (later, laterTime) = Self.profile(0..<((days + 7) * 48), seasons: [86_400, 604_800], load: load)
        #expect(later.peak(from: laterTime.addingTimeInterval(9 * 3600), through: laterTime.addingTimeInterval(10 * 3600)) == 1000)
        // And a Saturday forecast, with weeks behind it, is the weekend's, not the weekdays'.
        let (weekend, weekendTime) = Self.profile(0..<((days + 5) * 48), seasons: [86_400, 604_800], load: load)
        #expect(weekend.peak(from: weekendTime.addingTimeInterval(9 * 3600), through: weekendTime.addingTimeInterval(10 * 3600)) == 100)
    }

    @Test func anAutomaticHeadroomIsTheQuantileOfRecentShortfalls() throws {
        // Half-hours alternate between 1000 and 1100, and each day starts on the other one: neither
        // the profile (the median of past days, 1050) nor the last half-hour's level says which
        // comes next, so the forecast falls short by up to 10 %; the automatic headroom makes up
        // for it and the floor covers the next 1100.
        let load: (Int) -> Double = { (($0 / 48 + $0) % 2) == 0 ? 1000 : 1100 }
        var settings = PredictiveSettings(method: .profile, headroom: 0, seasons: [86_400], historySeconds: 14 * 86_400, resolutionSeconds: 1800)
        settings.headroomQuantile = 0.9
        var forecaster = MetricForecaster(settings: settings)
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        for index in 0...(4 * 48) { forecaster.observe(load(index), at: start.addingTimeInterval(Double(index) * 1800)) }
        #expect(forecaster.headroom >= 0.1 - 1e-9 && forecaster.headroom <= 0.25, "\(forecaster.headroom)")
        var fixed = settings
        fixed.headroomQuantile = nil
        var plain = MetricForecaster(settings: fixed)
        for index in 0...(4 * 48) { plain.observe(load(index), at: start.addingTimeInterval(Double(index) * 1800)) }
        let now = start.addingTimeInterval(4 * 86_400 + 1800)
        let peak = try #require(forecaster.peak(from: now, through: now.addingTimeInterval(3600)))
        let unaided = try #require(plain.peak(from: now, through: now.addingTimeInterval(3600)))
        #expect(peak >= 1100 && abs(peak - unaided * (1 + forecaster.headroom)) < 1e-6, "\(peak) \(unaided)")
        let policies = try PolicyFile.parse("""
            policies:
              - {name: web, target: {kind: Deployment, name: web}, maxReplicas: 9, metrics: [{type: Pods, pods: {metric: {name: rps}, target: {type: AverageValue, averageValue: "80"}}}],
                 predictive: {headroom: auto}}
            """, path: "p.yaml")
        #expect(policies[0].predictive?.headroomQuantile == 0.9)
    }

    @Test func aRampInsideABucketIsCoveredFromTheBucketsStart() throws {
        // Yesterday the load jumped from 100 to 1000 at 09:02, inside the 09:00-09:30 bucket, seen once a minute.
        let settings = PredictiveSettings(method: .profile, headroom: 0, seasons: [86_400], historySeconds: 7 * 86_400, resolutionSeconds: 1800)
        var forecaster = MetricForecaster(settings: settings)
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        for minute in 0...1440 {
            forecaster.observe(minute >= 9 * 60 + 2 && minute < 18 * 60 ? 1000 : 100, at: start.addingTimeInterval(Double(minute) * 60))
        }
        // Today at 08:58 with two minutes of look-ahead: the floor already covers the whole ramp.
        let now = start.addingTimeInterval(86_400 + 8 * 3600 + 58 * 60)
        #expect(try #require(forecaster.peak(from: now, through: now.addingTimeInterval(120))) == 1000)
        #expect(try #require(forecaster.peak(from: now.addingTimeInterval(-3600), through: now.addingTimeInterval(-3600 + 120))) == 100)
    }

    /// Three days of 5-minute buckets of `usual` (by minute of the day; by default 0 until 09:00,
    /// 1000 until 18:00, then 0); the fourth day runs `today` until `minutes` past midnight.
    static func levelForecaster(usual: @escaping (Int) -> Double = { (9 * 60..<18 * 60).contains($0) ? 1000 : 0 },
                                today: (Int) -> Double, minutes: Int) -> (MetricForecaster, Date) {
        let settings = PredictiveSettings(method: .profile, headroom: 0, seasons: [86_400], historySeconds: 7 * 86_400, resolutionSeconds: 300)
        var forecaster = MetricForecaster(settings: settings)
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        for minute in 0...(3 * 1440 + minutes) {
            let value = minute < 3 * 1440 ? usual(minute % 1440) : today(minute - 3 * 1440)
            forecaster.observe(value, at: start.addingTimeInterval(Double(minute) * 60))
        }
        return (forecaster, start.addingTimeInterval(Double(3 * 1440 + minutes) * 60))
    }

    @Test func theForecastFollowsHowTodayRunsAgainstTheUsual() throws {
        func peak(_ forecaster: MetricForecaster, _ now: Date) throws -> Double {
            try #require(forecaster.peak(from: now, through: now.addingTimeInterval(120)))
        }
        // Before 09:00 today looks like every day: the ramp is forecast whole.
        let (morning, beforeRamp) = Self.levelForecaster(today: { _ in 0 }, minutes: 8 * 60 + 58)
        #expect(morning.levelShift == 0)
        #expect(try peak(morning, beforeRamp) == 1000)

        // A holiday: nothing arrives at 09:00. Each empty bucket moves the forecast down by a sixth
        // of the shortfall; after half an hour the floor is gone.
        let (holiday, fiveMinutesIn) = Self.levelForecaster(today: { _ in 0 }, minutes: 9 * 60 + 5)
        #expect(abs(holiday.levelShift + 1000.0 / 6) < 1e-9, "\(holiday.levelShift)")
        #expect(abs(try peak(holiday, fiveMinutesIn) - 1000 * 5.0 / 6) < 1e-9)
        let (quiet, halfHourIn) = Self.levelForecaster(today: { _ in 0 }, minutes: 9 * 60 + 30)
        #expect(try peak(quiet, halfHourIn) == 0)

        // A busier day: 1200 from 09:00; by 09:30 the rest of the day is forecast at 1200.
        let (busy, busyTime) = Self.levelForecaster(today: { (9 * 60..<18 * 60).contains($0) ? 1200 : 0 }, minutes: 9 * 60 + 30)
        #expect(try peak(busy, busyTime) == 1200)

        // Every day 20 from 08:00 until the ramp, today nothing: the ramp's forecast moves by the
        // 20 missing, not in proportion to them.
        let (light, lightTime) = Self.levelForecaster(usual: { $0 < 8 * 60 ? 0 : ($0 < 9 * 60 ? 20 : 1000) }, today: { _ in 0 }, minutes: 8 * 60 + 58)
        #expect(abs(light.levelShift + 20) < 1e-9, "\(light.levelShift)")
        #expect(try peak(light, lightTime) == 980)
    }
}
