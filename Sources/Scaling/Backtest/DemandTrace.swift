import Foundation
import YAMLFiles

/// A demand trace: `timestamp,value` rows (RFC 3339 or Unix seconds). Each value holds until the
/// next row, unless read with interpolation.
public struct DemandTrace: Sendable, Equatable {
    public var times: [Double]
    public var values: [Double]

    public init(times: [Double], values: [Double]) {
        self.times = times
        self.values = values
    }

    public var start: Date { Date(timeIntervalSince1970: times.first ?? 0) }
    public var end: Date { Date(timeIntervalSince1970: times.last ?? 0) }
    public var peak: Double { values.max() ?? 0 }

    public static func parse(_ text: String, path: String) throws -> DemandTrace {
        var times: [Double] = []
        var values: [Double] = []
        let formatter = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            let number = offset + 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if times.isEmpty && values.isEmpty && fields.first?.lowercased() == "timestamp" { continue }
            guard fields.count >= 2 else {
                throw PolicyFileError(path: path, line: number, message: "expected timestamp,value; got \"\(line.prefix(60))\"")
            }
            let time: Double
            if let seconds = Double(fields[0]) {
                time = seconds
            } else if let date = formatter.date(from: fields[0]) ?? fractional.date(from: fields[0]) {
                time = date.timeIntervalSince1970
            } else {
                throw PolicyFileError(path: path, line: number, message: "\"\(fields[0])\" is not an RFC 3339 time or Unix seconds")
            }
            guard let value = Double(fields[1]), value.isFinite, value >= 0 else {
                throw PolicyFileError(path: path, line: number, message: "\"\(fields[1])\" is not a non-negative number")
            }
            if let last = times.last, time <= last {
                throw PolicyFileError(path: path, line: number, message: "timestamps must increase (this one is not after the row before)")
            }
            times.append(time)
            values.append(value)
        }
        guard times.count >= 2 else { throw PolicyFileError(path: path, line: nil, message: "a trace needs at least two rows") }
        return DemandTrace(times: times, values: values)
    }

    /// The trace with its values multiplied so the peak becomes `peak`.
    public func scaled(toPeak peak: Double) -> DemandTrace {
        let factor = self.peak > 0 ? peak / self.peak : 0
        return DemandTrace(times: times, values: values.map { $0 * factor })
    }

    /// Demand at a time: the value of the row at or before it, or interpolated between rows; the
    /// first and last values hold outside the trace.
    public struct Cursor {
        let trace: DemandTrace
        let interpolate: Bool
        var index = 0

        public init(_ trace: DemandTrace, interpolate: Bool = false) {
            self.trace = trace
            self.interpolate = interpolate
        }

        /// For times that never go backwards.
        public mutating func value(at time: Double) -> Double {
            let times = trace.times
            while index + 1 < times.count && times[index + 1] <= time { index += 1 }
            if time <= times[index] || index + 1 == times.count || !interpolate { return trace.values[index] }
            let fraction = (time - times[index]) / (times[index + 1] - times[index])
            return trace.values[index] + fraction * (trace.values[index + 1] - trace.values[index])
        }
    }
}
