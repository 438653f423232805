import Testing
@testable import PromQL

/// Date fields as Prometheus 2.42 answered them for `year(vector(v))` and its siblings, including
/// the values Go's calendar arithmetic wraps.
@Suite struct GoCalendarTests {
    struct Expected: Sendable, CustomStringConvertible {
        let value: Double
        let year: Int64, month: Int64, day: Int64, yearDay: Int64, weekday: Int64, hour: Int64, minute: Int64
        var description: String { "\(value)" }
    }

    static let cases: [Expected] = [
        // NaN, ±Inf and anything beyond Int64 become Int64.min, which wraps to the far future.
        Expected(value: .nan, year: 292_277_026_596, month: 12, day: 4, yearDay: 339, weekday: 0, hour: 15, minute: 30),
        Expected(value: .infinity, year: 292_277_026_596, month: 12, day: 4, yearDay: 339, weekday: 0, hour: 15, minute: 30),
        Expected(value: -1e300, year: 292_277_026_596, month: 12, day: 4, yearDay: 339, weekday: 0, hour: 15, minute: 30),
        Expected(value: 9.2e18, year: 291_536_396_232, month: 8, day: 31, yearDay: 244, weekday: 5, hour: 11, minute: 33),
        Expected(value: 1e18, year: 31_688_740_476, month: 10, day: 23, yearDay: 297, weekday: 5, hour: 1, minute: 46),
        Expected(value: -1e18, year: -31_688_736_537, month: 3, day: 10, yearDay: 69, weekday: 2, hour: 22, minute: 13),
        Expected(value: 8_139_454_208, year: 2227, month: 12, day: 6, yearDay: 340, weekday: 4, hour: 15, minute: 30),
        Expected(value: -62_135_596_801, year: 0, month: 12, day: 31, yearDay: 366, weekday: 0, hour: 23, minute: 59),
        Expected(value: 1_767_225_600, year: 2026, month: 1, day: 1, yearDay: 1, weekday: 4, hour: 0, minute: 0),
        Expected(value: 951_782_400, year: 2000, month: 2, day: 29, yearDay: 60, weekday: 2, hour: 0, minute: 0),
    ]

    @Test(arguments: cases)
    func fieldsMatchPrometheus(_ expected: Expected) {
        let field = { (function: Function) in InstantFunctions.dateField(function, seconds: expected.value) }
        #expect(field(.year) == Double(expected.year))
        #expect(field(.month) == Double(expected.month))
        #expect(field(.dayOfMonth) == Double(expected.day))
        #expect(field(.dayOfYear) == Double(expected.yearDay))
        #expect(field(.dayOfWeek) == Double(expected.weekday))
        #expect(field(.hour) == Double(expected.hour))
        #expect(field(.minute) == Double(expected.minute))
    }

    @Test func daysInMonthFollowsGoIncludingItsWrap() {
        #expect(InstantFunctions.dateField(.daysInMonth, seconds: 951_782_400) == 29)  // February 2000
        #expect(InstantFunctions.dateField(.daysInMonth, seconds: 1_767_225_600) == 31)
        #expect(InstantFunctions.dateField(.daysInMonth, seconds: 1_771_113_600) == 28)  // 2026-02-15
        // Prometheus 2.42 answers 9 here: time.Date's day count wraps in the year 292277026596.
        #expect(InstantFunctions.dateField(.daysInMonth, seconds: -9.223372028715322e18) == 9)
    }
}
