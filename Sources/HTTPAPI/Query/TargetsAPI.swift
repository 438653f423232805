import Foundation
import TimeSeriesCore

/// One scrape target as `/api/v1/targets` shows it.
public struct TargetView: Sendable {
    public var scrapePool: String
    public var scrapeURL: String
    public var discoveredLabels: [String: String]
    public var labels: [String: String]
    public var health: String
    public var lastError: String
    public var lastScrape: Timestamp?
    public var lastScrapeDuration: Double
    public var scrapeInterval: String
    public var scrapeTimeout: String

    public init(scrapePool: String, scrapeURL: String, discoveredLabels: [String: String],
                labels: [String: String], health: String, lastError: String, lastScrape: Timestamp?,
                lastScrapeDuration: Double, scrapeInterval: String, scrapeTimeout: String) {
        self.scrapePool = scrapePool
        self.scrapeURL = scrapeURL
        self.discoveredLabels = discoveredLabels
        self.labels = labels
        self.health = health
        self.lastError = lastError
        self.lastScrape = lastScrape
        self.lastScrapeDuration = lastScrapeDuration
        self.scrapeInterval = scrapeInterval
        self.scrapeTimeout = scrapeTimeout
    }
}

/// `GET /api/v1/targets` in Prometheus' shape, with its `state` and `scrapePool` filters. Dropped
/// targets (relabeling removed them) show their discovered labels only.
struct TargetsAPI: Sendable {
    let targets: @Sendable () -> [TargetView]
    let dropped: @Sendable () -> [[String: String]]

    func targets(_ parameters: FormParameters) throws -> String {
        let state = parameters.first("state")?.lowercased() ?? "any"
        guard ["any", "active", "dropped", ""].contains(state) else {
            throw APIError(.badData, "invalid state \(jsonQuoted(state)); expected any, active or dropped")
        }
        let pool = parameters.first("scrapePool").flatMap { $0.isEmpty ? nil : $0 }
        var json = JSONWriter()
        json.raw("{")
        if state != "dropped" {
            json.raw("\"activeTargets\":[")
            for (index, target) in targets().filter({ pool == nil || $0.scrapePool == pool }).enumerated() {
                if index > 0 { json.raw(",") }
                Self.encode(target, into: &json)
            }
            json.raw("]")
        }
        if state != "active" {
            if state != "dropped" { json.raw(",") }
            json.raw("\"droppedTargets\":[")
            for (index, labels) in dropped().enumerated() {
                if index > 0 { json.raw(",") }
                json.raw("{\"discoveredLabels\":")
                json.object(labels)
                json.raw("}")
            }
            json.raw("]")
        }
        json.raw("}")
        return json.text
    }

    private static func encode(_ target: TargetView, into json: inout JSONWriter) {
        json.raw("{\"discoveredLabels\":")
        json.object(target.discoveredLabels)
        json.raw(",\"labels\":")
        json.object(target.labels)
        let fields = [
            ("scrapePool", target.scrapePool), ("scrapeUrl", target.scrapeURL), ("globalUrl", target.scrapeURL),
            ("lastError", target.lastError), ("lastScrape", goTime(target.lastScrape)),
        ]
        for (name, value) in fields {
            json.raw(",\"\(name)\":")
            json.string(value)
        }
        json.raw(",\"lastScrapeDuration\":" + formatSampleValue(target.lastScrapeDuration))
        for (name, value) in [("health", target.health), ("scrapeInterval", target.scrapeInterval), ("scrapeTimeout", target.scrapeTimeout)] {
            json.raw(",\"\(name)\":")
            json.string(value)
        }
        json.raw("}")
    }

}
