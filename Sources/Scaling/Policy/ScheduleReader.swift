import Foundation
import YAMLFiles
import Yams

/// `schedules:` entries: recurring windows between two cron expressions, or one-off windows between
/// two dates, each in a time zone (UTC when not given).
enum ScheduleReader {
    static func windows(_ node: Node, reader: NodeReader, maxReplicas: Int) throws -> [ScheduleWindow] {
        try reader.sequence(node, "schedules").enumerated().map { index, item in
            let map = try reader.mapping(item, "a schedule", allowed: ["name", "start", "end", "timezone", "minReplicas"])
            let name = try map["name"].map { try reader.string($0, "name") } ?? "schedule-\(index + 1)"
            var timeZone = TimeZone(identifier: "UTC")!
            if let zoneNode = map["timezone"] {
                let identifier = try reader.string(zoneNode, "timezone")
                guard let zone = TimeZone(identifier: identifier) else {
                    throw reader.fail(zoneNode, "unknown time zone \"\(identifier)\"; use an IANA name such as Asia/Shanghai")
                }
                timeZone = zone
            }
            let startNode = try reader.require(map, "start", in: "schedule \"\(name)\"", at: item)
            let endNode = try reader.require(map, "end", in: "schedule \"\(name)\"", at: item)
            let start = try reader.string(startNode, "start")
            let end = try reader.string(endNode, "end")
            let timing: ScheduleWindow.Timing
            if NodeReader.parseDate(start, timeZone: timeZone) != nil || NodeReader.parseDate(end, timeZone: timeZone) != nil {
                let startDate = try reader.date(startNode, "start", timeZone: timeZone)
                let endDate = try reader.date(endNode, "end", timeZone: timeZone)
                guard endDate > startDate else { throw reader.fail(endNode, "end must come after start") }
                timing = .once(start: startDate, end: endDate)
            } else {
                func cron(_ text: String, _ node: Node) throws -> CronExpression {
                    do { return try CronExpression(text) } catch let error as CronExpression.ParseError {
                        throw reader.fail(node, error.description)
                    }
                }
                timing = .recurring(start: try cron(start, startNode), end: try cron(end, endNode))
            }
            let minNode = try reader.require(map, "minReplicas", in: "schedule \"\(name)\"", at: item)
            let minReplicas = try reader.int(minNode, "minReplicas", minimum: 0)
            if minReplicas > maxReplicas {
                throw reader.fail(minNode, "schedule minReplicas (\(minReplicas)) exceeds the policy's maxReplicas (\(maxReplicas))")
            }
            return ScheduleWindow(name: name, timing: timing, timeZone: timeZone, minReplicas: minReplicas)
        }
    }
}
