import Foundation
import Synchronization

/// RFC 3339 times read and written with formatters made once: building an `ISO8601DateFormatter`
/// costs more than using one, and query parameters, JSON times and Kubernetes objects go through
/// here on every request. Foundation's formatter is a class whose thread safety on Linux is not
/// documented, so each is used under a lock; a use takes microseconds.
public enum RFC3339Time {
    private static let whole = Mutex(formatter([.withInternetDateTime]))
    private static let fractional = Mutex(formatter([.withInternetDateTime, .withFractionalSeconds]))

    private static func formatter(_ options: ISO8601DateFormatter.Options) -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = options
        return formatter
    }

    /// `2026-11-22T10:00:00Z`, `2026-11-22T10:00:00.5+08:00`: with or without fractional seconds.
    public static func date(_ text: String) -> Date? {
        if let date = fractional.withLock({ $0.date(from: text) }) { return date }
        return whole.withLock { $0.date(from: text) }
    }

    /// UTC, with milliseconds when `fractionalSeconds` (`2026-11-22T10:00:00.500Z`), else whole
    /// seconds (`2026-11-22T10:00:00Z`).
    public static func string(_ date: Date, fractionalSeconds: Bool = false) -> String {
        fractionalSeconds ? fractional.withLock { $0.string(from: date) } : whole.withLock { $0.string(from: date) }
    }
}
