import Foundation

/// Renders the `data` of a query response as a small terminal chart: one sparkline per series of a
/// range result, one bar per element of an instant vector. Each sparkline has its own scale, printed
/// beside it; NaN and infinite values leave a gap.
public enum ResultChart {
    static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    public static func render(_ data: [String: Any], width: Int = 60, maxSeries: Int = 20) -> String {
        let width = max(width, 2)
        switch data["resultType"] as? String ?? "" {
        case "matrix":
            let series = (data["result"] as? [[String: Any]] ?? []).map { element in
                (name: ResultTable.series(element["metric"]), points: (element["values"] as? [[Any]] ?? []).compactMap(point))
            }
            return matrix(series, width: width, maxSeries: maxSeries)
        case "vector":
            let elements = (data["result"] as? [[String: Any]] ?? []).compactMap { element -> (String, Double)? in
                guard let value = point(element["value"] as? [Any] ?? []) else { return nil }
                return (ResultTable.series(element["metric"]), value.value)
            }
            return bars(elements, width: width, maxSeries: maxSeries)
        default:
            return ResultTable.render(data)
        }
    }

    private static func point(_ pair: [Any]) -> (time: Double, value: Double)? {
        guard pair.count == 2, let time = (pair[0] as? NSNumber)?.doubleValue, let text = pair[1] as? String else { return nil }
        return (time, Double(text) ?? .nan)
    }

    static func matrix(_ series: [(name: String, points: [(time: Double, value: Double)])], width: Int, maxSeries: Int) -> String {
        let times = series.flatMap { $0.points.map(\.time) }
        guard let first = times.min(), let last = times.max() else { return "(no data)\n" }
        let span = last - first
        let shown = series.prefix(maxSeries)
        let nameWidth = min(shown.map(\.name.count).max() ?? 0, 60)
        var out = "\(ResultTable.time(first as NSNumber)) .. \(ResultTable.time(last as NSNumber))\n"
        for entry in shown {
            var columns = [Double?](repeating: nil, count: width)
            for p in entry.points where p.value.isFinite {
                let column = span == 0 ? 0 : Int(((p.time - first) / span * Double(width - 1)).rounded())
                columns[column] = p.value
            }
            let finite = columns.compactMap { $0 }
            let low = finite.min() ?? 0, high = finite.max() ?? 0
            let line = String(columns.map { value -> Character in
                guard let value else { return " " }
                let level = high == low ? 3 : Int(((value - low) / (high - low) * 7).rounded())
                return levels[min(max(level, 0), 7)]
            })
            let name = entry.name.count > nameWidth ? String(entry.name.prefix(nameWidth - 1)) + "…" : entry.name
            let lastValue = entry.points.last.map { formatted($0.value) } ?? ""
            out += pad(name, nameWidth) + "  " + line + "  " + "min \(formatted(low)) max \(formatted(high)) last \(lastValue)\n"
        }
        if series.count > shown.count { out += "… and \(series.count - shown.count) more series\n" }
        return out
    }

    static func bars(_ elements: [(String, Double)], width: Int, maxSeries: Int) -> String {
        guard !elements.isEmpty else { return "(no data)\n" }
        let shown = elements.prefix(maxSeries)
        let nameWidth = min(shown.map(\.0.count).max() ?? 0, 60)
        let largest = shown.map(\.1).filter(\.isFinite).map(abs).max() ?? 0
        var out = ""
        for (name, value) in shown {
            let cells = largest == 0 || !value.isFinite ? 0 : Int((abs(value) / largest * Double(width)).rounded())
            let bar = String(repeating: value < 0 ? "░" : "█", count: cells)
            let label = name.count > nameWidth ? String(name.prefix(nameWidth - 1)) + "…" : name
            out += pad(label, nameWidth) + "  " + pad(bar, width) + "  " + formatted(value) + "\n"
        }
        if elements.count > shown.count { out += "… and \(elements.count - shown.count) more series\n" }
        return out
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func formatted(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.4g", value)
    }
}
