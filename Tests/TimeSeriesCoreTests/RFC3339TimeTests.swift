import Foundation
import Testing
import TimeSeriesCore

/// The shared RFC 3339 formatters: both forms read, both written, and safe to use from many tasks.
@Suite struct RFC3339TimeTests {
    @Test func readsAndWritesBothForms() throws {
        #expect(RFC3339Time.date("2026-11-22T10:00:00Z")?.timeIntervalSince1970 == 1_795_341_600)
        #expect(RFC3339Time.date("2026-11-22T10:00:00.5+08:00")?.timeIntervalSince1970 == 1_795_312_800.5)
        #expect(RFC3339Time.date("2026-11-22 10:00") == nil && RFC3339Time.date("") == nil)
        let date = Date(timeIntervalSince1970: 1_795_341_600.25)
        #expect(RFC3339Time.string(date) == "2026-11-22T10:00:00Z")
        #expect(RFC3339Time.string(date, fractionalSeconds: true) == "2026-11-22T10:00:00.250Z")
    }

    @Test func manyTasksAtOnceGetTheirOwnAnswers() async {
        let wrong = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var wrong = 0
                    for second in 0..<2_000 {
                        let time = Double(1_795_341_600 + task * 100_000 + second)
                        let text = RFC3339Time.string(Date(timeIntervalSince1970: time + 0.5), fractionalSeconds: true)
                        if RFC3339Time.date(text)?.timeIntervalSince1970 != time + 0.5 { wrong += 1 }
                    }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
        #expect(wrong == 0)
    }
}
