import Foundation
import Testing
@testable import Scaling

/// Cron expressions, recurring windows in a time zone, and one-off windows.
@Suite struct ScheduleTests {
    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    static let utc = TimeZone(identifier: "UTC")!

    static let nextCases: [(String, String, String, String)] = [
        ("*/15 * * * *", "UTC", "2026-11-22T10:07:00Z", "2026-11-22T10:15:00Z"),
        ("0 9 * * 1-5", "UTC", "2026-11-21T12:00:00Z", "2026-11-23T09:00:00Z"),         // Saturday → Monday
        ("0 9 * * 1-5", "Asia/Shanghai", "2026-11-23T02:00:00Z", "2026-11-24T01:00:00Z"), // Monday 10:00 +08 → Tuesday 09:00
        ("30 2 1 * *", "UTC", "2026-11-22T00:00:00Z", "2026-12-01T02:30:00Z"),
        ("0 0 * jan sun", "UTC", "2026-11-22T00:00:00Z", "2027-01-03T00:00:00Z"),
        ("0 12 13 * 5", "UTC", "2026-11-14T00:00:00Z", "2026-11-20T12:00:00Z"),         // day 13 or Friday
        ("@daily", "UTC", "2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z"),
        ("0 0 * * 7", "UTC", "2026-11-22T00:00:00Z", "2026-11-29T00:00:00Z"),           // 7 is Sunday
    ]

    @Test(arguments: nextCases)
    func nextFiring(_ expression: String, _ zone: String, _ after: String, _ expected: String) throws {
        let cron = try CronExpression(expression)
        #expect(cron.next(after: Self.date(after), in: TimeZone(identifier: zone)!) == Self.date(expected))
    }

    @Test(arguments: ["0 9 * *", "60 * * * *", "* * 0 * *", "*/0 * * * *", "5-1 * * * *", "0 9 * * funday"])
    func refusesMalformedExpressions(_ expression: String) {
        #expect(throws: CronExpression.ParseError.self) { try CronExpression(expression) }
    }

    @Test func recurringWindowsFollowTheirTimeZone() throws {
        let office = ScheduleWindow(name: "office", timing: .recurring(start: try CronExpression("0 9 * * 1-5"), end: try CronExpression("0 18 * * 1-5")),
                                    timeZone: Self.shanghai, minReplicas: 20)
        #expect(office.isActive(at: Self.date("2026-11-23T01:00:00Z")))   // Monday 09:00 in Shanghai
        #expect(office.isActive(at: Self.date("2026-11-27T09:59:00Z")))   // Friday 17:59
        #expect(!office.isActive(at: Self.date("2026-11-27T10:00:00Z")))  // Friday 18:00
        #expect(!office.isActive(at: Self.date("2026-11-23T00:59:00Z")))  // Monday 08:59
        #expect(!office.isActive(at: Self.date("2026-11-28T03:00:00Z")))  // Saturday 11:00
        let night = ScheduleWindow(name: "batch", timing: .recurring(start: try CronExpression("0 22 * * *"), end: try CronExpression("0 2 * * *")),
                                   timeZone: Self.utc, minReplicas: 5)
        #expect(night.isActive(at: Self.date("2026-11-22T23:30:00Z")) && night.isActive(at: Self.date("2026-11-23T01:59:00Z")))
        #expect(!night.isActive(at: Self.date("2026-11-23T02:00:00Z")) && !night.isActive(at: Self.date("2026-11-22T21:59:00Z")))
    }

    @Test func oneOffWindowsAndTheTrackerAgreeWithDirectEvaluation() throws {
        let sale = ScheduleWindow(name: "sale", timing: .once(start: Self.date("2026-11-10T16:00:00Z"), end: Self.date("2026-11-11T18:00:00Z")),
                                  timeZone: Self.shanghai, minReplicas: 40)
        let office = ScheduleWindow(name: "office", timing: .recurring(start: try CronExpression("0 9 * * 1-5"), end: try CronExpression("0 18 * * 1-5")),
                                    timeZone: Self.shanghai, minReplicas: 20)
        var tracker = ScheduleTracker(windows: [sale, office])
        var time = Self.date("2026-11-09T00:00:00Z")
        var sawSale = false
        while time < Self.date("2026-11-16T00:00:00Z") {
            let tracked = tracker.floor(at: time)
            #expect(tracked == ScheduleFloor.at(time, windows: [sale, office]), "at \(time)")
            sawSale = sawSale || tracked.replicas == 40
            time.addTimeInterval(17 * 60)
        }
        #expect(sawSale)
    }
}
