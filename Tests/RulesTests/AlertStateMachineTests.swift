import Rules
import Testing
import TimeSeriesCore

/// The alert lifecycle as tables of timelines: at each minute, which series the rule's query
/// returns, and the state the alert must be in afterwards (nil: no alert).
@Suite struct AlertStateMachineTests {
    static let minute: Int64 = 60_000
    static let series = Labels(["__name__": "up", "job": "api", "instance": "a"])
    static let alertLabels = Labels(["alertname": "Down", "job": "api", "instance": "a", "severity": "page"])

    struct Timeline: Sendable, CustomStringConvertible {
        let name: String
        let holdMinutes: Int64
        let keepFiringMinutes: Int64
        /// One character per minute: "x" the series is returned, "." it is not.
        let present: String
        /// One character per minute: "p" pending, "f" firing, "i" inactive (kept as resolved), "-" no alert.
        let states: String
        var description: String { name }
    }

    static let timelines: [Timeline] = [
        Timeline(name: "pending until for, then firing, then resolved", holdMinutes: 3, keepFiringMinutes: 0,
                 present: "xxxxxx..", states: "pppfffii"),
        Timeline(name: "for 0 fires at once", holdMinutes: 0, keepFiringMinutes: 0, present: "xx.x", states: "ffif"),
        Timeline(name: "a pending alert whose series goes is dropped; the next one starts over", holdMinutes: 2, keepFiringMinutes: 0,
                 present: "xx.xxx", states: "pp-ppf"),
        Timeline(name: "flapping below for never fires", holdMinutes: 2, keepFiringMinutes: 0, present: "x.x.x.x", states: "p-p-p-p"),
        Timeline(name: "keep_firing_for holds a firing alert after its series goes", holdMinutes: 1, keepFiringMinutes: 3,
                 present: "xxx......", states: "pfffffiii"),
        Timeline(name: "a series back within keep_firing_for keeps firing and resets the hold", holdMinutes: 0, keepFiringMinutes: 2,
                 present: "x.x...x", states: "fffffif"),
        Timeline(name: "keep_firing_for does not hold a pending alert", holdMinutes: 5, keepFiringMinutes: 10,
                 present: "xx..", states: "pp--"),
        Timeline(name: "a resolved alert that comes back is pending again", holdMinutes: 1, keepFiringMinutes: 0,
                 present: "xxx.xx", states: "pffipf"),
    ]

    @Test(arguments: timelines)
    func alertStatesFollowTheTimeline(timeline: Timeline) {
        var state = AlertingRuleState(rule: AlertingRule(alert: "Down", expr: "up == 0", holdDuration: timeline.holdMinutes * Self.minute,
                                                         keepFiringFor: timeline.keepFiringMinutes * Self.minute, labels: ["severity": "page"]))
        var seen = ""
        for (minute, mark) in timeline.present.enumerated() {
            let time = 1_700_000_000_000 + Int64(minute) * Self.minute
            let result: Vector = mark == "x" ? [VectorElement(labels: Self.series, timestamp: time, value: 0)] : []
            let round = state.evaluate(result, at: time)
            #expect(round.error == nil)
            let alert = state.active[Self.alertLabels]
            seen += alert.map { ["pending": "p", "firing": "f", "inactive": "i"][$0.state.rawValue]! } ?? "-"
            // ALERTS and ALERTS_FOR_STATE name every pending or firing alert, and nothing else.
            let alerts = round.samples.filter { $0.labels.metricName == "ALERTS" }
            if let alert, alert.state != .inactive {
                #expect(alerts.map(\.labels["alertstate"]) == [alert.state.rawValue])
                #expect(round.samples.first { $0.labels.metricName == "ALERTS_FOR_STATE" }?.value == Double(alert.activeAt / 1000))
            } else {
                #expect(round.samples.isEmpty)
            }
        }
        #expect(seen == timeline.states, "\(timeline.name)")
    }

    @Test func aResolvedAlertIsKeptFifteenMinutesToBeSentAsResolved() {
        var state = AlertingRuleState(rule: AlertingRule(alert: "Down", expr: "up == 0"))
        let start: Int64 = 1_700_000_000_000
        _ = state.evaluate([VectorElement(labels: Self.series, timestamp: start, value: 0)], at: start)
        // Resolved at minute 1; still there at minute 16 (15 minutes later), gone at minute 17.
        for minute in 1...17 {
            _ = state.evaluate([], at: start + Int64(minute) * Self.minute)
            #expect(state.active.isEmpty == (minute == 17), "minute \(minute)")
        }
    }

    @Test func theLimitAndDuplicateLabelSetsFailTheRound() {
        var limited = AlertingRuleState(rule: AlertingRule(alert: "Down", expr: "up == 0"))
        let three = (0..<3).map { VectorElement(labels: Labels(["__name__": "up", "instance": "i\($0)"]), timestamp: 0, value: 0) }
        let over = limited.evaluate(three, at: 0, limit: 2)
        #expect(over.error == "exceeded limit of 2 with 3 alerts")
        #expect(limited.active.isEmpty && over.samples.isEmpty)
        #expect(limited.evaluate(three, at: 60_000, limit: 3).error == nil)

        var duplicated = AlertingRuleState(rule: AlertingRule(alert: "Down", expr: "{job=\"a\"}"))
        let twoNames = [VectorElement(labels: Labels(["__name__": "a", "job": "a"]), timestamp: 0, value: 1),
                        VectorElement(labels: Labels(["__name__": "b", "job": "a"]), timestamp: 0, value: 1)]
        #expect(duplicated.evaluate(twoNames, at: 0).error == "vector contains metrics with the same labelset after applying alert labels")
    }

    @Test func labelsAndAnnotationsAreExpandedAndGroupLabelsYieldToTheRules() {
        var state = AlertingRuleState(rule: AlertingRule(alert: "High", expr: "x > 1", labels: ["team": "rule", "instance_copy": "{{i}}"],
                                                         annotations: ["summary": "value {{v}}"]))
        let element = VectorElement(labels: Labels(["__name__": "x", "instance": "a"]), timestamp: 0, value: 7)
        _ = state.evaluate([element], at: 0, groupLabels: ["team": "group", "env": "prod"]) { template, labels, value in
            template.replacingOccurrences(of: "{{i}}", with: labels["instance"] ?? "").replacingOccurrences(of: "{{v}}", with: "\(Int(value))")
        }
        let alert = try! #require(state.active.values.first)
        #expect(alert.labels == Labels(["alertname": "High", "instance": "a", "instance_copy": "a", "team": "rule", "env": "prod"]))
        #expect(alert.annotations == ["summary": "value 7"])
    }

    @Test func firingAlertsAreResentAndResolvedOnesSentOnce() {
        var state = AlertingRuleState(rule: AlertingRule(alert: "Down", expr: "up == 0"))
        let start: Int64 = 1_700_000_000_000
        var sent: [String] = []
        for minute in 0..<8 {
            let time = start + Int64(minute) * 30_000
            _ = state.evaluate(minute < 5 ? [VectorElement(labels: Self.series, timestamp: time, value: 0)] : [], at: time)
            let out = state.alertsToSend(at: time, interval: 30_000, resendDelay: 60_000)
            sent.append(out.map { "\($0.state.rawValue)@\(minute)" }.joined())
            if let firing = out.first, firing.state == .firing { #expect(firing.endsAt == time + 4 * 60_000) }
            if let resolved = out.first, resolved.state == .inactive { #expect(resolved.endsAt == time) }
        }
        // Sent when it fires, again a resend delay later, and once when it resolves.
        #expect(sent == ["firing@0", "", "firing@2", "", "firing@4", "inactive@5", "", ""])
    }
}
