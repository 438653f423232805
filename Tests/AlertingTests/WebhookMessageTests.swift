import Alerting
import Foundation
import Testing
import TimeSeriesCore

/// The webhook message Surge builds is the one Alertmanager 0.25 sent for the same alerts
/// (fixtures captured from Debian's Alertmanager).
@Suite struct WebhookMessageTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func load(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent(name))) as! [String: Any]
    }

    static func milliseconds(_ text: String) -> Timestamp? {
        guard text != "0001-01-01T00:00:00Z" else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text).map { Timestamp(($0.timeIntervalSince1970 * 1000).rounded()) }
    }

    @Test(arguments: [
        ("alertmanager-webhook-v4-firing.json", 0),
        ("alertmanager-webhook-v4-resolved-two-alerts-one-group.json", 0),
        ("alertmanager-webhook-v4-firing-truncated-max_alerts-1.json", 1),
    ])
    func messagesMatchAlertmanagers(fixture: String, maxAlerts: Int) throws {
        let captured = try Self.load(fixture)
        let capturedAlerts = captured["alerts"] as! [[String: Any]]
        var alerts = capturedAlerts.map { alert in
            NotifiedAlert(labels: Labels(alert["labels"] as! [String: String]), annotations: alert["annotations"] as! [String: String],
                          startsAt: Self.milliseconds(alert["startsAt"] as! String)!,
                          endsAt: Self.milliseconds(alert["endsAt"] as! String), generatorURL: alert["generatorURL"] as! String)
        }
        // A truncated message names only the alerts it carries; the rest are counted.
        let truncated = captured["truncatedAlerts"] as! Int
        for extra in 0..<truncated {
            var another = alerts[0]
            another.labels = Labels(another.labels.dictionary.merging(["extra": "\(extra)"]) { $1 })
            alerts.append(another)
        }
        let time = alerts.compactMap(\.endsAt).max() ?? alerts.map(\.startsAt).max()! + 1000
        let notification = AlertNotification(groupLabels: Labels(captured["groupLabels"] as! [String: String]), alerts: alerts, time: time)
        let message = WebhookMessage(receiver: captured["receiver"] as! String, notification: notification,
                                     externalURL: captured["externalURL"] as! String, maxAlerts: maxAlerts)
        var ours = try JSONSerialization.jsonObject(with: Data(message.json.utf8)) as! [String: Any]
        var theirs = captured
        if truncated > 0 {
            // The extra alerts change the common labels; the rest must match.
            ours["commonLabels"] = nil
            theirs["commonLabels"] = nil
        }
        #expect(NSDictionary(dictionary: ours).isEqual(to: theirs), "\(message.json)")
        // The fingerprints are Alertmanager's.
        for (alert, captured) in zip(alerts, capturedAlerts) {
            let expected = captured["fingerprint"] as? String
            #expect(WebhookMessage.hexFingerprint(alert) == expected)
        }
    }
}

/// What Surge posts to Alertmanager is what Prometheus 2.42 posted for the same alerts.
@Suite struct AlertmanagerPostTests {
    @Test(arguments: ["prometheus-to-alertmanager-v2-post-firing.json", "prometheus-to-alertmanager-v2-post-resolved-two-alerts.json"])
    func postsMatchPrometheus(fixture: String) throws {
        let captured = try JSONSerialization.jsonObject(with: Data(contentsOf: WebhookMessageTests.fixtures.appendingPathComponent(fixture))) as! [[String: Any]]
        let alerts = captured.map { alert in
            NotifiedAlert(labels: Labels(alert["labels"] as! [String: String]), annotations: alert["annotations"] as! [String: String],
                          startsAt: WebhookMessageTests.milliseconds(alert["startsAt"] as! String)!,
                          endsAt: WebhookMessageTests.milliseconds(alert["endsAt"] as! String), generatorURL: alert["generatorURL"] as! String)
        }
        let ours = try JSONSerialization.jsonObject(with: Data(AlertmanagerNotifier.postBody(alerts).utf8)) as! [[String: Any]]
        #expect(NSArray(array: ours).isEqual(to: captured), "\(AlertmanagerNotifier.postBody(alerts))")
    }
}
