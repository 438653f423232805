import Foundation

/// Renders the `data` of a query response as an aligned text table.
public enum ResultTable {
    public static func render(_ data: [String: Any]) -> String {
        let type = data["resultType"] as? String ?? ""
        var rows: [[String]] = []
        switch type {
        case "vector":
            rows.append(["SERIES", "TIME", "VALUE"])
            for element in data["result"] as? [[String: Any]] ?? [] {
                let point = element["value"] as? [Any] ?? []
                rows.append([series(element["metric"]), time(point.first), point.last as? String ?? ""])
            }
        case "matrix":
            rows.append(["SERIES", "TIME", "VALUE"])
            for element in data["result"] as? [[String: Any]] ?? [] {
                let name = series(element["metric"])
                for point in element["values"] as? [[Any]] ?? [] {
                    rows.append([name, time(point.first), point.last as? String ?? ""])
                }
            }
        case "scalar", "string":
            let point = data["result"] as? [Any] ?? []
            rows.append(["TIME", "VALUE"])
            rows.append([time(point.first), "\(point.last ?? "")"])
        default:
            return "unknown result type \(type)\n"
        }
        if rows.count == 1 { return "(no data)\n" }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func series(_ metric: Any?) -> String {
        let labels = metric as? [String: String] ?? [:]
        let name = labels["__name__"] ?? ""
        let rest = labels.filter { $0.key != "__name__" }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ", ")
        return rest.isEmpty ? (name.isEmpty ? "{}" : name) : "\(name){\(rest)}"
    }

    static func time(_ value: Any?) -> String {
        guard let seconds = (value as? NSNumber)?.doubleValue else { return "" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
