import Foundation
import SurgeTestKit

/// Compares two `/api/v1/status/tsdb` answers. The head figures must be equal, except the chunk
/// count, which depends on where each server cuts its chunks. Rankings must hold the same counts
/// in the same order; Prometheus orders equal counts arbitrarily, so names must agree only where
/// their count ranks above the last one listed.
struct TSDBStatusComparison {
    static let rankings = ["seriesCountByMetricName", "labelValueCountByLabelName", "memoryInBytesByLabelName",
                           "seriesCountByLabelValuePair"]

    let differences: [String]
    let chunkCounts: (actual: Int, expected: Int)

    init(actual: TestHTTP.Reply, expected: TestHTTP.Reply) throws {
        let mine = try Self.data(actual), theirs = try Self.data(expected)
        var differences: [String] = []
        let myHead = mine["headStats"] as? [String: Any] ?? [:], theirHead = theirs["headStats"] as? [String: Any] ?? [:]
        if Set(myHead.keys) != Set(theirHead.keys) { differences.append("headStats keys \(myHead.keys.sorted()) vs \(theirHead.keys.sorted())") }
        for key in ["numSeries", "numLabelPairs", "minTime", "maxTime"] where "\(myHead[key] ?? "none")" != "\(theirHead[key] ?? "none")" {
            differences.append("headStats.\(key): \(myHead[key] ?? "none") vs \(theirHead[key] ?? "none")")
        }
        if Set(mine.keys) != Set(theirs.keys) { differences.append("keys \(mine.keys.sorted()) vs \(theirs.keys.sorted())") }
        for key in Self.rankings {
            let a = Self.entries(mine[key]), b = Self.entries(theirs[key])
            if b.isEmpty { differences.append("Prometheus listed no \(key); nothing was compared") }
            if a.map(\.value) != b.map(\.value) {
                differences.append("\(key) counts \(a.map(\.value)) vs \(b.map(\.value))")
                continue
            }
            guard let last = b.last?.value else { continue }
            let aboveA = Set(a.filter { $0.value > last }.map(\.name)), aboveB = Set(b.filter { $0.value > last }.map(\.name))
            if aboveA != aboveB { differences.append("\(key) names \(aboveA.sorted()) vs \(aboveB.sorted())") }
        }
        self.differences = differences
        chunkCounts = (myHead["chunkCount"] as? Int ?? -1, theirHead["chunkCount"] as? Int ?? -1)
    }

    private static func data(_ reply: TestHTTP.Reply) throws -> [String: Any] {
        guard reply.status == 200,
              let json = try JSONSerialization.jsonObject(with: Data(reply.text.utf8)) as? [String: Any],
              let data = json["data"] as? [String: Any] else {
            throw TestKitError("/api/v1/status/tsdb answered \(reply.status): \(reply.text)")
        }
        return data
    }

    private static func entries(_ value: Any?) -> [(name: String, value: Int)] {
        (value as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0["value"] as? Int ?? -1) }
    }
}
