import Foundation
import Scaling

/// An SVG of a backtest: demand against each variant's ready capacity over the whole trace, the
/// same over the day where the HPA fell shortest, and the replicas of each variant.
public enum BacktestPlot {
    static let colors = ["#d62728", "#1f77b4", "#2ca02c"]

    public static func svg(_ result: BacktestResult, title: String, width: Int = 1200) -> String {
        let timeline = result.timeline
        let count = timeline.demand.count
        let capacity = result.options.capacityPerPod
        let dayStart = worstDay(result)
        let daySteps = min(Int(86_400 / timeline.step), count)
        let dayRange = dayStart..<min(dayStart + daySteps, count)
        var panels: [String] = []
        var y = 40
        let height = 220
        let whole = 0..<count
        panels.append(panel(result, range: whole, top: y, height: height, width: width, capacity: capacity,
                            title: "demand and ready capacity, whole trace"))
        y += height + 50
        panels.append(panel(result, range: dayRange, top: y, height: height, width: width, capacity: capacity,
                            title: "demand and ready capacity, the day the HPA fell shortest (from \(dateText(timeline, dayRange.lowerBound)))"))
        y += height + 50
        panels.append(panel(result, range: dayRange, top: y, height: height, width: width, capacity: nil,
                            title: "ready replicas, same day"))
        y += height + 40
        var legend = "<g font-size=\"12\">"
        let names = ["demand"] + result.variants
        let legendColors = ["#000000"] + colors
        for (index, name) in names.enumerated() {
            let x = 60 + index * 160
            legend += "<rect x=\"\(x)\" y=\"\(y)\" width=\"14\" height=\"4\" fill=\"\(legendColors[index])\"/>"
            legend += "<text x=\"\(x + 20)\" y=\"\(y + 6)\">\(name)</text>"
        }
        legend += "</g>"
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(y + 30)" font-family="sans-serif">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="24" text-anchor="middle" font-size="16">\(escape(title))</text>
            \(panels.joined(separator: "\n"))
            \(legend)
            </svg>

            """
    }

    /// The start of the day-long window with the most HPA under-provisioned steps.
    static func worstDay(_ result: BacktestResult) -> Int {
        let timeline = result.timeline
        let daySteps = min(Int(86_400 / timeline.step), timeline.demand.count)
        var short = [Int](repeating: 0, count: timeline.demand.count + 1)
        for index in timeline.demand.indices {
            let under = timeline.demand[index] > Double(timeline.ready[1][index]) * result.options.capacityPerPod ? 1 : 0
            short[index + 1] = short[index] + under
        }
        var best = 0
        var bestCount = -1
        var start = 0
        while start + daySteps <= timeline.demand.count {
            let value = short[start + daySteps] - short[start]
            if value > bestCount { (best, bestCount) = (start, value) }
            start += max(daySteps / 4, 1)
        }
        return best
    }

    /// Lines downsampled to one point per pixel column, keeping each column's maximum.
    static func panel(_ result: BacktestResult, range: Range<Int>, top: Int, height: Int, width: Int, capacity: Double?, title: String) -> String {
        let timeline = result.timeline
        let left = 60
        let plotWidth = width - left - 20
        var series: [([Double], String)] = []
        if let capacity {
            series.append((Array(timeline.demand[range]), "#000000"))
            for variant in 0..<3 {
                series.append((timeline.ready[variant][range].map { Double($0) * capacity }, colors[variant]))
            }
        } else {
            for variant in 0..<3 { series.append((timeline.ready[variant][range].map(Double.init), colors[variant])) }
        }
        let step = tickStep(max(series.flatMap(\.0).max() ?? 1, 1) * 1.05 / 5, integer: capacity == nil)
        let maximum = (max(series.flatMap(\.0).max() ?? 1, 1) * 1.05 / step).rounded(.up) * step
        var out = "<g><text x=\"\(left)\" y=\"\(top - 6)\" font-size=\"13\">\(escape(title))</text>"
        var value = 0.0
        while value <= maximum + step / 2 {
            let yPos = Double(top + height) - Double(height) * value / maximum
            out += String(format: "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>", left, left + plotWidth, yPos, yPos)
            out += "<text x=\"\(left - 4)\" y=\"\(Int(yPos) + 4)\" font-size=\"10\" text-anchor=\"end\">\(String(format: "%g", value))</text>"
            value += step
        }
        out += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(height)\" fill=\"none\" stroke=\"#999\"/>"
        for tick in 0...4 {
            let index = range.lowerBound + (max(range.count - 1, 0)) * tick / 4
            let anchor = tick == 0 ? "start" : tick == 4 ? "end" : "middle"
            out += "<text x=\"\(left + plotWidth * tick / 4)\" y=\"\(top + height + 14)\" font-size=\"10\" text-anchor=\"\(anchor)\">\(dateText(timeline, index))</text>"
        }
        for (values, color) in series where !values.isEmpty {
            let columns = min(plotWidth, values.count)
            var points: [String] = []
            for column in 0..<columns {
                let from = column * values.count / columns
                let to = max((column + 1) * values.count / columns, from + 1)
                let value = values[from..<to].max()!
                let x = Double(left) + Double(plotWidth) * Double(column) / Double(max(columns - 1, 1))
                let yPos = Double(top + height) - Double(height) * value / maximum
                points.append(String(format: "%.1f,%.1f", x, yPos))
            }
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1\" points=\"\(points.joined(separator: " "))\"/>"
        }
        return out + "</g>"
    }

    /// A round tick step near `rough`: 1, 2 or 5 times a power of ten (whole numbers for replicas).
    static func tickStep(_ rough: Double, integer: Bool) -> Double {
        let power = pow(10, (log10(max(rough, 1e-9))).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        return integer ? max(step.rounded(), 1) : step
    }

    static func dateText(_ timeline: BacktestTimeline, _ index: Int) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: timeline.start + Double(index) * timeline.step))
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
