import Foundation
import Scaling

/// An SVG of a backtest that shows where capacity fell short: demand against each variant's ready
/// capacity over the whole trace; the worst whole day (UTC) by the policy's under-provisioned
/// seconds; a zoom on that day's steepest ramp; and the replicas of each variant with the policy's
/// schedule and forecast floor. The policy's under-provisioned steps are marked in red under each
/// panel; axes carry their units.
public enum BacktestPlot {
    /// policy, hpa, oracle, reference (the timeline's order).
    static let colors = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e"]
    static let floorColor = "#9467bd"

    public static func svg(_ result: BacktestResult, title: String, width: Int = 1200) -> String {
        let timeline = result.timeline
        let count = timeline.demand.count
        let capacity = result.options.capacityPerPod
        let day = worstDay(result)
        let ramp = steepestRamp(result, within: day)
        var panels: [String] = []
        var y = 44
        let height = 200
        func add(_ range: Range<Int>, capacity: Double?, _ title: String, counts: [[Int32]]? = nil) {
            panels.append(panel(result, range: range, top: y, height: height, width: width, capacity: capacity, title: title, counts: counts))
            y += height + 62
        }
        add(0..<count, capacity: capacity, "Demand and ready capacity (requests/s), whole trace")
        let shortOnDay = shortSteps(result, day)
        add(day, capacity: capacity, "The policy's worst day by under-provisioned time: \(dayText(timeline, day.lowerBound))"
            + (shortOnDay > 0 ? " (\(BacktestReport.formatSeconds(Double(shortOnDay) * timeline.step)) short)"
                : " (never short; of such days, the one with the most replicas over the oracle)"))
        add(ramp, capacity: capacity, "Zoom on that day's steepest ramp: \(timeText(timeline, ramp.lowerBound)) to \(timeText(timeline, ramp.upperBound - 1)) UTC")
        add(day, capacity: nil, "Ready replicas that day, and the policy's schedule and forecast floor")
        if !timeline.nodes.isEmpty {
            add(day, capacity: nil, "Nodes that day (booting or ready): the policy's started ahead, the HPAs' by Cluster Autoscaler", counts: timeline.nodes)
        }
        var legend = "<g font-size=\"12\">"
        let names = ["demand"] + result.variants.map { $0 + " (ready)" } + ["policy floor", "policy under-provisioned"]
        let legendColors = ["#000000"] + colors + [floorColor, "#d62728"]
        for (index, name) in names.enumerated() {
            let x = 60 + (index % 4) * 280
            let row = y + (index / 4) * 18
            legend += index == names.count - 1
                ? "<rect x=\"\(x)\" y=\"\(row - 4)\" width=\"14\" height=\"8\" fill=\"\(legendColors[index])\" fill-opacity=\"0.35\"/>"
                : "<rect x=\"\(x)\" y=\"\(row)\" width=\"14\" height=\"3\" fill=\"\(legendColors[index])\"/>"
            legend += "<text x=\"\(x + 20)\" y=\"\(row + 5)\">\(escape(name))</text>"
        }
        legend += "</g>"
        y += 2 * 18
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(y + 20)" font-family="sans-serif">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="24" text-anchor="middle" font-size="16">\(escape(title))</text>
            \(panels.joined(separator: "\n"))
            \(legend)
            </svg>

            """
    }

    static func short(_ result: BacktestResult, _ index: Int) -> Bool {
        result.timeline.demand[index] > Double(result.timeline.ready[0][index]) * result.options.capacityPerPod
    }

    static func shortSteps(_ result: BacktestResult, _ range: Range<Int>) -> Int {
        range.reduce(0) { $0 + (short(result, $1) ? 1 : 0) }
    }

    /// The whole UTC day with the most policy under-provisioned steps; of equals, the one where the
    /// policy ran the most replicas over the oracle.
    static func worstDay(_ result: BacktestResult) -> Range<Int> {
        let timeline = result.timeline
        let count = timeline.demand.count
        let daySteps = max(Int(86_400 / timeline.step), 1)
        // Steps from the trace's start to its first UTC midnight, so days are calendar days.
        let offset = Int(((86_400 - timeline.start.truncatingRemainder(dividingBy: 86_400)).truncatingRemainder(dividingBy: 86_400)) / timeline.step)
        var starts = [0]
        var next = offset == 0 ? daySteps : offset
        while next < count { starts.append(next); next += daySteps }
        func score(_ start: Int) -> (Int, Int) {
            let range = start..<min(start + (start == 0 && offset > 0 ? offset : daySteps), count)
            let excess = range.reduce(0) { $0 + Int(timeline.desired[0][$1]) - Int(timeline.desired[2][$1]) }
            return (shortSteps(result, range), excess)
        }
        let best = starts.max { score($0) < score($1) } ?? 0
        return best..<min(best + (best == 0 && offset > 0 ? offset : daySteps), count)
    }

    /// Two hours around the largest rise of demand over one pod start-up within `day`.
    static func steepestRamp(_ result: BacktestResult, within day: Range<Int>) -> Range<Int> {
        let timeline = result.timeline
        let window = max(Int(result.options.podStartupSeconds / timeline.step), 1)
        var best = day.lowerBound
        var rise = -Double.infinity
        for index in day where index + window < timeline.demand.count {
            let change = timeline.demand[index + window] - timeline.demand[index]
            if change > rise { (best, rise) = (index, change) }
        }
        let half = Int(3600 / timeline.step)
        let start = max(best - half, 0)
        return start..<min(start + 2 * half, timeline.demand.count)
    }

    /// Lines downsampled to one point per pixel column, keeping each column's maximum.
    /// `counts` replaces the ready replicas with other per-variant counts (nodes), without the floor.
    static func panel(_ result: BacktestResult, range: Range<Int>, top: Int, height: Int, width: Int, capacity: Double?, title: String,
                      counts: [[Int32]]? = nil) -> String {
        let timeline = result.timeline
        let left = 70
        let plotWidth = width - left - 20
        var series: [([Double], String, Bool)] = []
        let floor = timeline.floor.isEmpty || counts != nil ? [] : timeline.floor[range].map { Double($0) * (capacity ?? 1) }
        if let capacity {
            // Demand last, on top: the oracle's capacity often runs along it.
            for variant in timeline.ready.indices { series.append((timeline.ready[variant][range].map { Double($0) * capacity }, colors[variant], false)) }
            series.append((Array(timeline.demand[range]), "#000000", false))
        } else {
            let values = counts ?? timeline.ready
            for variant in values.indices { series.append((values[variant][range].map(Double.init), colors[variant], false)) }
        }
        if floor.contains(where: { $0 > 0 }) { series.append((floor, floorColor, true)) }
        let highest = max(series.flatMap(\.0).max() ?? 1, 1) * 1.05
        let step = tickStep(highest / 5, integer: capacity == nil)
        let maximum = (highest / step).rounded(.up) * step
        var out = "<g><text x=\"\(left)\" y=\"\(top - 8)\" font-size=\"13\">\(escape(title))</text>"
        // The policy's under-provisioned steps, as a red band along the bottom.
        let columns = min(plotWidth, max(range.count, 1))
        for column in 0..<columns {
            let from = range.lowerBound + column * range.count / columns
            let to = max(range.lowerBound + (column + 1) * range.count / columns, from + 1)
            guard (from..<min(to, range.upperBound)).contains(where: { short(result, $0) }) else { continue }
            let x = Double(left) + Double(plotWidth) * Double(column) / Double(columns)
            out += String(format: "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#d62728\" fill-opacity=\"0.35\"/>",
                          x, top, max(Double(plotWidth) / Double(columns), 1), height)
        }
        var value = 0.0
        while value <= maximum + step / 2 {
            let yPos = Double(top + height) - Double(height) * value / maximum
            out += String(format: "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>", left, left + plotWidth, yPos, yPos)
            out += "<text x=\"\(left - 4)\" y=\"\(Int(yPos) + 4)\" font-size=\"10\" text-anchor=\"end\">\(String(format: "%g", value))</text>"
            value += step
        }
        let unit = counts != nil ? "nodes" : capacity == nil ? "replicas" : "requests/s"
        out += "<text transform=\"translate(\(left - 44),\(top + height / 2)) rotate(-90)\" font-size=\"11\" text-anchor=\"middle\">\(unit)</text>"
        out += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(height)\" fill=\"none\" stroke=\"#999\"/>"
        for tick in 0...4 {
            let index = range.lowerBound + (max(range.count - 1, 0)) * tick / 4
            let anchor = tick == 0 ? "start" : tick == 4 ? "end" : "middle"
            out += "<text x=\"\(left + plotWidth * tick / 4)\" y=\"\(top + height + 14)\" font-size=\"10\" text-anchor=\"\(anchor)\">\(timeText(timeline, index, withDate: range.count * Int(timeline.step) > 86_400))</text>"
        }
        out += "<text x=\"\(left + plotWidth / 2)\" y=\"\(top + height + 28)\" font-size=\"11\" text-anchor=\"middle\">time (UTC)</text>"
        for (values, color, dashed) in series where !values.isEmpty {
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
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1\"\(dashed ? " stroke-dasharray=\"4,3\"" : "") points=\"\(points.joined(separator: " "))\"/>"
        }
        return out + "</g>"
    }

    /// A round tick step near `rough`: 1, 2 or 5 times a power of ten (whole numbers for replicas).
    static func tickStep(_ rough: Double, integer: Bool) -> Double {
        let power = pow(10, (log10(max(rough, 1e-9))).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        return integer ? max(step.rounded(), 1) : step
    }

    static func date(_ timeline: BacktestTimeline, _ index: Int) -> Date {
        Date(timeIntervalSince1970: timeline.start + Double(index) * timeline.step)
    }

    static func dayText(_ timeline: BacktestTimeline, _ index: Int) -> String {
        String(RFC3339.string(date(timeline, index)).prefix(10))
    }

    static func timeText(_ timeline: BacktestTimeline, _ index: Int, withDate: Bool = false) -> String {
        let text = RFC3339.string(date(timeline, index))
        let time = String(text.dropFirst(11).prefix(5))
        return withDate ? String(text.prefix(10)) + " " + time : time
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
