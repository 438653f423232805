import Foundation
import TimeSeriesCore

/// Times as Kubernetes and ISO 8601 write them, with or without fractional seconds:
/// `2026-11-22T10:00:00Z`, `2026-11-22T10:00:00.5+08:00`.
public enum RFC3339 {
    public static func date(_ text: String) -> Date? {
        RFC3339Time.date(text)
    }

    /// Whole seconds in UTC, as Kubernetes writes event and condition times: `2026-11-22T10:00:00Z`.
    public static func string(_ date: Date) -> String {
        RFC3339Time.string(date)
    }
}
