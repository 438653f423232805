import Foundation
import TimeSeriesCore

extension JSONWriter {
    /// A JSON object of strings, keys sorted.
    mutating func object(_ pairs: [String: String]) {
        raw("{")
        for (index, pair) in pairs.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { raw(",") }
            string(pair.key)
            raw(":")
            string(pair.value)
        }
        raw("}")
    }
}

/// Go's time.Time JSON form (RFC 3339 with fractional seconds); the zero time for nil, as
/// Prometheus shows a time that has not happened yet.
func goTime(_ time: Timestamp?) -> String {
    guard let time else { return "0001-01-01T00:00:00Z" }
    return RFC3339Time.string(Date(timeIntervalSince1970: Double(time) / 1000), fractionalSeconds: true)
}
