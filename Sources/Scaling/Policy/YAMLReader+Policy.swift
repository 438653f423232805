import Foundation
import TimeSeriesCore
import YAMLFiles
import Yams

/// An error in a policy or snapshot file, with the line it was found on.
public typealias PolicyFileError = FileError

/// The reader of policy and snapshot files.
typealias NodeReader = YAMLReader

extension YAMLReader {
    /// Seconds from "90s", "5m", "1h30m" or a plain number of seconds.
    func seconds(_ node: Node, _ what: String, minimum: Double = 0) throws -> Double {
        let value: Double? = if let number = node.int { Double(number) } else if let number = node.float { number }
            else { node.string.flatMap(parseDuration).map { Double($0) / 1000 } }
        guard let value, value >= minimum else {
            throw fail(node, "\(what) must be a duration such as 30s, 5m or 1h" + (minimum > 0 ? " (at least \(formatDuration(Int64(minimum * 1000))))" : ""))
        }
        return value
    }

    /// A Kubernetes quantity ("500m", "2Gi", 100) in milli-units.
    func quantity(_ node: Node, _ what: String) throws -> Int64 {
        guard let text = node.scalar?.string, let value = Quantity.milliValue(text) else {
            throw fail(node, "\(what) must be a quantity such as 500m, 2, 1k or 2Gi")
        }
        return value
    }

    /// RFC 3339 with an offset, or a local date and time read in `timeZone`.
    func date(_ node: Node, _ what: String, timeZone: TimeZone) throws -> Date {
        guard let text = node.scalar?.string, let date = Self.parseDate(text, timeZone: timeZone) else {
            throw fail(node, "\(what) must be a date such as 2026-11-11T00:00:00+08:00 or 2026-11-11 00:00")
        }
        return date
    }

    static func parseDate(_ text: String, timeZone: TimeZone) -> Date? {
        if let date = RFC3339.date(text) { return date }
        let local = DateFormatter()
        local.locale = Locale(identifier: "en_US_POSIX")
        local.timeZone = timeZone
        for format in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
            local.dateFormat = format
            if let date = local.date(from: text) { return date }
        }
        return nil
    }
}
