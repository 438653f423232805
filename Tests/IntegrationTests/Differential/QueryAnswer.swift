import Foundation
import SurgeTestKit

/// A query API answer reduced to what users see: the result type and the series with their labels and
/// points, or the error type. Two answers agree when the labels are identical and the values equal
/// within a relative 1e-9 (NaN equal to NaN).
struct QueryAnswer: CustomStringConvertible {
    struct Entry {
        var labels: [String: String]
        var points: [(time: Double, value: String)]
    }

    var resultType: String?
    var entries: [Entry] = []
    var errorType: String?
    var error: String?

    init(reply: TestHTTP.Reply, ordered: Bool) throws {
        let json = try reply.json()
        if json["status"] as? String != "success" {
            errorType = json["errorType"] as? String ?? "missing errorType"
            error = json["error"] as? String
            return
        }
        guard let data = json["data"] as? [String: Any], let type = data["resultType"] as? String else {
            throw TestKitError("no data.resultType in \(reply.text.prefix(300))")
        }
        resultType = type
        switch type {
        case "scalar", "string":
            entries = [Entry(labels: [:], points: [try Self.point(data["result"])])]
        case "vector":
            for element in data["result"] as? [[String: Any]] ?? [] {
                entries.append(Entry(labels: element["metric"] as? [String: String] ?? [:], points: [try Self.point(element["value"])]))
            }
        case "matrix":
            for element in data["result"] as? [[String: Any]] ?? [] {
                let values = try (element["values"] as? [Any] ?? []).map(Self.point)
                entries.append(Entry(labels: element["metric"] as? [String: String] ?? [:], points: values))
            }
        default:
            throw TestKitError("unknown result type \(type)")
        }
        if !ordered { entries.sort { Self.key($0.labels) < Self.key($1.labels) } }
    }

    private static func point(_ value: Any?) throws -> (time: Double, value: String) {
        guard let pair = value as? [Any], pair.count == 2, let time = (pair[0] as? NSNumber)?.doubleValue,
              let text = pair[1] as? String else {
            throw TestKitError("not a [time, \"value\"] pair: \(String(describing: value))")
        }
        return (time, text)
    }

    private static func key(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{1}")
    }

    static func sameValue(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard let x = Double(a), let y = Double(b) else { return false }
        if x.isNaN && y.isNaN { return true }
        if x == y { return true }
        if x.isInfinite || y.isInfinite { return false }
        return abs(x - y) <= 1e-9 * max(abs(x), abs(y))
    }

    /// Nil when the answers agree, else the first difference.
    func difference(from other: QueryAnswer) -> String? {
        if errorType != nil || other.errorType != nil {
            return errorType == other.errorType ? nil : "error \(errorType ?? "none") vs \(other.errorType ?? "none")"
        }
        if resultType != other.resultType { return "result type \(resultType ?? "") vs \(other.resultType ?? "")" }
        if entries.count != other.entries.count { return "\(entries.count) series vs \(other.entries.count)" }
        for (mine, theirs) in zip(entries, other.entries) {
            if mine.labels != theirs.labels { return "labels \(mine.labels) vs \(theirs.labels)" }
            if mine.points.count != theirs.points.count {
                let first = zip(mine.points, theirs.points).first { $0.0.time != $0.1.time }
                let at = first.map { "first differing time \($0.0.time) vs \($0.1.time)" } ?? "the longer one goes on"
                return "\(mine.labels): \(mine.points.count) points vs \(theirs.points.count), \(at)"
            }
            for (p, q) in zip(mine.points, theirs.points) where p.time != q.time || !Self.sameValue(p.value, q.value) {
                return "\(mine.labels) at \(p.time): \(p.value) vs \(q.time) \(q.value)"
            }
        }
        return nil
    }

    var description: String {
        if let errorType { return "error \(errorType): \(error ?? "")" }
        let shown = entries.prefix(6).map { entry in
            "\(entry.labels) \(entry.points.prefix(4).map { "\($0.time)=\($0.value)" }.joined(separator: " "))"
        }
        return "\(resultType ?? "") \(entries.count) series\n      " + shown.joined(separator: "\n      ")
    }
}
