import Foundation

/// A five-field cron expression (minute hour day-of-month month day-of-week) as cron and KEDA's cron
/// scaler read it: `*`, lists, ranges, steps, month and weekday names, 7 as Sunday, and the
/// `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly` shorthands. When both day fields are
/// restricted a day matches either, as in Vixie cron.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public let description: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    static let shorthands = ["@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
                             "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expanded = Self.shorthands[trimmed.lowercased()] ?? trimmed
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(description: "cron expression \"\(text)\" has \(fields.count) fields; expected 5 (minute hour day-of-month month day-of-week)")
        }
        description = trimmed
        minutes = try Self.field(fields[0], "minute", 0...59, names: [])
        hours = try Self.field(fields[1], "hour", 0...23, names: [])
        daysOfMonth = try Self.field(fields[2], "day-of-month", 1...31, names: [])
        months = try Self.field(fields[3], "month", 1...12, names: Self.monthNames, nameBase: 1)
        var weekdays = try Self.field(fields[4], "day-of-week", 0...7, names: Self.dayNames)
        if weekdays.remove(7) != nil { weekdays.insert(0) }
        daysOfWeek = weekdays
        dayOfMonthRestricted = !fields[2].hasPrefix("*") && fields[2] != "?"
        dayOfWeekRestricted = !fields[4].hasPrefix("*") && fields[4] != "?"
    }

    private static func field(_ text: String, _ name: String, _ range: ClosedRange<Int>, names: [String], nameBase: Int = 0) throws -> Set<Int> {
        func number(_ token: Substring) throws -> Int {
            if let value = Int(token) {
                guard range.contains(value) else {
                    throw ParseError(description: "\(name) \(value) is outside \(range.lowerBound)-\(range.upperBound)")
                }
                return value
            }
            if let index = names.firstIndex(of: token.lowercased()) { return index + nameBase }
            throw ParseError(description: "\(name) field \"\(text)\": \"\(token)\" is not a number" + (names.isEmpty ? "" : " or name"))
        }
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, !pieces[0].isEmpty else { throw ParseError(description: "\(name) field \"\(text)\" is malformed") }
            var step = 1
            if pieces.count == 2 {
                guard let value = Int(pieces[1]), value > 0 else { throw ParseError(description: "\(name) field \"\(text)\": step must be a positive number") }
                step = value
            }
            let lower: Int
            var upper: Int
            if pieces[0] == "*" || pieces[0] == "?" {
                (lower, upper) = (range.lowerBound, range.upperBound)
                if name == "day-of-week" { upper = 6 }
            } else if let dash = pieces[0].firstIndex(of: "-") {
                lower = try number(pieces[0][..<dash])
                upper = try number(pieces[0][pieces[0].index(after: dash)...])
                guard lower <= upper else { throw ParseError(description: "\(name) range \"\(pieces[0])\" runs backwards") }
            } else {
                lower = try number(pieces[0])
                upper = pieces.count == 2 ? range.upperBound : lower
            }
            values.formUnion(stride(from: lower, through: upper, by: step))
        }
        return values
    }

    func matchesDay(_ components: DateComponents) -> Bool {
        guard let day = components.day, let month = components.month, let weekday = components.weekday else { return false }
        guard months.contains(month) else { return false }
        let domMatch = daysOfMonth.contains(day)
        let dowMatch = daysOfWeek.contains(weekday - 1)
        if dayOfMonthRestricted && dayOfWeekRestricted { return domMatch || dowMatch }
        return domMatch && dowMatch
    }

    /// The first time strictly after `date` that the expression fires, in `timeZone`; nil when none
    /// falls within the next five years (e.g. "0 0 30 2 *").
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let sortedHours = hours.sorted()
        let sortedMinutes = minutes.sorted()
        var dayStart = calendar.startOfDay(for: date)
        for _ in 0..<(366 * 5) {
            let components = calendar.dateComponents([.year, .month, .day, .weekday], from: dayStart)
            if matchesDay(components) {
                for hour in sortedHours {
                    for minute in sortedMinutes {
                        var wanted = components
                        wanted.weekday = nil
                        wanted.hour = hour
                        wanted.minute = minute
                        wanted.second = 0
                        // A time skipped by a daylight-saving change comes back shifted past the gap.
                        if let candidate = calendar.date(from: wanted), candidate > date { return candidate }
                    }
                }
            }
            guard let following = calendar.date(byAdding: .day, value: 1, to: dayStart) else { return nil }
            dayStart = calendar.startOfDay(for: following)
        }
        return nil
    }
}
