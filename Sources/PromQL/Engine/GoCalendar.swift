/// The calendar fields Prometheus' date functions read from a sample value `v` with Go's
/// `time.Unix(int64(v), 0).UTC()`, computed with Go's own arithmetic so that extreme values agree.
///
/// Go converts NaN, ±Inf and values beyond Int64 to Int64.min. It counts time in unsigned seconds
/// since the year -292277022399 (`abs`), in wrapping UInt64 arithmetic: the seconds within
/// 8,139,454,208 of Int64.min wrap to the year 292277026596, and `days_in_month` there, computed
/// through `time.Date`, wraps again.
struct GoCalendar {
    static let absoluteZeroYear: Int64 = -292_277_022_399
    /// Seconds from the Unix epoch to the absolute one, as Go adds them (`unixToInternal + internalToAbsolute`).
    static let unixToAbsolute: Int64 = 9_223_372_028_715_321_600
    static let daysPer400Years: UInt64 = 365 * 400 + 97
    static let daysPer100Years: UInt64 = 365 * 100 + 24
    static let daysPer4Years: UInt64 = 365 * 4 + 1
    static let daysBefore: [Int64] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]

    let abs: UInt64

    init(unixSeconds value: Double) {
        let seconds: Int64 = value >= -0x1p63 && value < 0x1p63 ? Int64(value) : .min
        abs = UInt64(bitPattern: seconds &+ Self.unixToAbsolute)
    }

    init(abs: UInt64) { self.abs = abs }

    var hour: Int64 { Int64(abs % 86_400 / 3_600) }
    var minute: Int64 { Int64(abs % 3_600 / 60) }
    /// Sunday is 0; the absolute epoch was a Monday.
    var weekday: Int64 { Int64((abs &+ 86_400) % (7 * 86_400) / 86_400) }

    /// Go's `absDate`: the year, the month (1-12), the day of the month and the day of the year (0-based).
    var date: (year: Int64, month: Int64, day: Int64, yearDay: Int64) {
        var d = abs / 86_400
        var n = d / Self.daysPer400Years
        var y = 400 * n
        d -= Self.daysPer400Years * n
        n = d / Self.daysPer100Years
        n -= n >> 2
        y += 100 * n
        d -= Self.daysPer100Years * n
        n = d / Self.daysPer4Years
        y += 4 * n
        d -= Self.daysPer4Years * n
        n = d / 365
        n -= n >> 2
        y += n
        d -= 365 * n
        let year = Int64(bitPattern: y) &+ Self.absoluteZeroYear
        let yearDay = Int64(d)
        var day = yearDay
        if Self.isLeap(year) {
            if day == 31 + 29 - 1 { return (year, 2, 29, yearDay) }
            if day > 31 + 29 - 1 { day -= 1 }
        }
        var month = Int(day / 31)
        let end = Self.daysBefore[month + 1]
        let begin: Int64
        if day >= end {
            month += 1
            begin = end
        } else {
            begin = Self.daysBefore[month]
        }
        return (year, Int64(month + 1), day - begin + 1, yearDay)
    }

    static func isLeap(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// Go's `time.Date(year, month, day, 0, 0, 0, 0, UTC)` for a month in 1...12 and a day from 1 up.
    static func date(year: Int64, month: Int64, day: Int64) -> GoCalendar {
        var y = UInt64(bitPattern: year &- absoluteZeroYear)
        var n = y / 400
        y -= 400 * n
        var d = daysPer400Years &* n
        n = y / 100
        y -= 100 * n
        d &+= daysPer100Years &* n
        n = y / 4
        y -= 4 * n
        d &+= daysPer4Years &* n
        d &+= 365 &* y
        d &+= UInt64(daysBefore[Int(month) - 1])
        if isLeap(year) && month >= 3 { d &+= 1 }
        d &+= UInt64(day - 1)
        return GoCalendar(abs: d &* 86_400)
    }

    /// Prometheus' `days_in_month`: 32 minus the day `time.Date` lands on for the 32nd of the month.
    var daysInMonth: Int64 {
        let (year, month, _, _) = date
        return 32 - Self.date(year: year, month: month, day: 32).date.day
    }
}
