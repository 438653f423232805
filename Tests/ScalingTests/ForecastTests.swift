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

    @Test func forecasterWaitsForEnoughHistoryThenForecastsThePeak() {
        let settings = PredictiveSettings(seasons: [86_400], historySeconds: 3 * 86_400, resolutionSeconds: 1800, podStartupSeconds: 90)
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
}
