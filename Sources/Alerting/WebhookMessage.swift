import Foundation
import TimeSeriesCore

/// Alertmanager's webhook message, version 4: what a webhook receiver gets for a notification.
public struct WebhookMessage: Sendable {
    public var receiver: String
    public var notification: AlertNotification
    public var externalURL: String
    /// The route's part of the group key; `{}` for a receiver without routes.
    public var routeKey = "{}"
    /// At most this many alerts are sent; 0 sends all. The rest are counted in `truncatedAlerts`.
    public var maxAlerts = 0

    public init(receiver: String, notification: AlertNotification, externalURL: String, maxAlerts: Int = 0) {
        self.receiver = receiver
        self.notification = notification
        self.externalURL = externalURL
        self.maxAlerts = maxAlerts
    }

    /// The JSON body, fields in Alertmanager's order.
    public var json: String {
        let time = notification.time
        let all = notification.alerts
        let sent = maxAlerts > 0 ? Array(all.prefix(maxAlerts)) : all
        let firing = all.contains { !$0.isResolved(at: time) }
        var out = "{\"receiver\":" + Self.quote(receiver) + ",\"status\":" + Self.quote(firing ? "firing" : "resolved") + ",\"alerts\":["
        out += sent.map { alert in
            let resolved = alert.isResolved(at: time)
            return "{\"status\":" + Self.quote(resolved ? "resolved" : "firing") + ",\"labels\":" + Self.object(alert.labels.dictionary)
                + ",\"annotations\":" + Self.object(alert.annotations) + ",\"startsAt\":" + Self.quote(Self.goTime(alert.startsAt))
                + ",\"endsAt\":" + Self.quote(Self.goTime(resolved ? alert.endsAt : nil)) + ",\"generatorURL\":" + Self.quote(alert.generatorURL)
                + ",\"fingerprint\":" + Self.quote(Self.hex(alert.fingerprint)) + "}"
        }.joined(separator: ",")
        out += "],\"groupLabels\":" + Self.object(notification.groupLabels.dictionary)
        out += ",\"commonLabels\":" + Self.object(Self.common(all.map(\.labels.dictionary)))
        out += ",\"commonAnnotations\":" + Self.object(Self.common(all.map(\.annotations)))
        out += ",\"externalURL\":" + Self.quote(externalURL) + ",\"version\":\"4\",\"groupKey\":" + Self.quote(groupKey)
        out += ",\"truncatedAlerts\":\(all.count - sent.count)}"
        return out
    }

    /// `{}:{alertname="x", queue="y"}`: the route's key and the group's labels.
    public var groupKey: String {
        routeKey + ":{" + notification.groupLabels.pairs.map { "\($0.name)=\(Self.quote($0.value))" }.joined(separator: ", ") + "}"
    }

    /// Pairs every map has with the same value.
    static func common(_ maps: [[String: String]]) -> [String: String] {
        guard var shared = maps.first else { return [:] }
        for map in maps.dropFirst() { shared = shared.filter { map[$0.key] == $0.value } }
        return shared
    }

    /// The fingerprint as Alertmanager prints it: 16 hex digits.
    public static func hexFingerprint(_ alert: NotifiedAlert) -> String { hex(alert.fingerprint) }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Go's RFC 3339 with the fraction's trailing zeros dropped, in UTC; the zero time for nil.
    static func goTime(_ time: Timestamp?) -> String {
        guard let time else { return "0001-01-01T00:00:00Z" }
        let seconds = time >= 0 ? time / 1000 : (time - 999) / 1000
        let millis = Int(time - seconds * 1000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(seconds)))
        var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
        if millis > 0 {
            var fraction = String(format: "%03d", millis)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    static func object(_ map: [String: String]) -> String {
        "{" + map.sorted { $0.key < $1.key }.map { quote($0.key) + ":" + quote($0.value) }.joined(separator: ",") + "}"
    }

    static func quote(_ text: String) -> String {
        goJSONString(text)
    }
}
