import Foundation
import PromQL
import TimeSeriesCore

/// The extremes Prometheus uses when `start`/`end` are absent from metadata queries.
let minQueryTime: Timestamp = -9_223_309_901_257_974
let maxQueryTime: Timestamp = 9_223_309_901_257_974

/// Parses a time parameter as Prometheus does: float Unix seconds or RFC 3339, to milliseconds.
func parseTimeParameter(_ text: String) -> Timestamp? {
    if let seconds = Double(text), seconds.isFinite {
        let whole = seconds.rounded(.towardZero)
        let fraction = ((seconds - whole) * 1000).rounded()
        let (ms, overflow) = Int64(exactly: whole).map { $0.multipliedReportingOverflow(by: 1000) } ?? (0, true)
        return overflow ? nil : ms + Int64(fraction)
    }
    return RFC3339Time.date(text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
}

/// Parses a duration parameter: float seconds or a PromQL duration, to milliseconds.
func parseDurationParameter(_ text: String) -> Int64? {
    if let seconds = Double(text), seconds.isFinite {
        let ms = (seconds * 1000).rounded()
        return abs(ms) < 9e18 ? Int64(ms) : nil
    }
    return parseDuration(text)
}

extension FormParameters {
    func time(_ name: String, default value: Timestamp) throws -> Timestamp {
        guard let text = first(name), !text.isEmpty else { return value }
        guard let t = parseTimeParameter(text) else {
            throw APIError.invalidParameter(name, "cannot parse \(jsonQuoted(text)) to a valid timestamp")
        }
        return t
    }

    func duration(_ name: String) throws -> Int64? {
        guard let text = first(name), !text.isEmpty else { return nil }
        guard let d = parseDurationParameter(text) else {
            throw APIError.invalidParameter(name, "cannot parse \(jsonQuoted(text)) to a valid duration")
        }
        return d
    }
}
