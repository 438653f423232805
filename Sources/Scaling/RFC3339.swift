import Foundation

/// Times as Kubernetes and ISO 8601 write them, with or without fractional seconds:
/// `2026-11-22T10:00:00Z`, `2026-11-22T10:00:00.5+08:00`.
public enum RFC3339 {
    public static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// Whole seconds in UTC, as Kubernetes writes event and condition times: `2026-11-22T10:00:00Z`.
    public static func string(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
