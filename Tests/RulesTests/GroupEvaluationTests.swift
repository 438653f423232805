import Rules
import Testing
import TimeSeriesCore

/// A group's rounds: when they run, what they write, what a reload keeps.
@Suite struct GroupEvaluationTests {
    static let minute: Int64 = 60_000

    @Test func roundsRunAtTheScheduleAndLateOnesSkipWhatTheyMissed() {
        let schedule = GroupSchedule(name: "g", file: "f", interval: Self.minute)
        var loop = RuleGroupLoop(schedule: schedule)
        let start: Int64 = 1_700_000_000_000
        let first = schedule.nextEvaluation(after: start)
        #expect(loop.next(.start, now: start) == .sleep(until: first))
        #expect(loop.next(.wake, now: first) == .evaluate(at: first))
        // A round that ends within its interval sleeps until the next slot.
        #expect(loop.next(.evaluated, now: first + 2_000) == .sleep(until: first + Self.minute))
        // Woken a little late: the round keeps its slot's time.
        #expect(loop.next(.wake, now: first + Self.minute + 300) == .evaluate(at: first + Self.minute))
        // A round that took three and a half intervals: two slots missed, the latest due one runs.
        #expect(loop.next(.evaluated, now: first + 4 * Self.minute + 30_000) == .evaluate(at: first + 4 * Self.minute))
        #expect(loop.missed == 2)
    }

    static let up = Labels(["__name__": "up", "job": "api", "instance": "a"])
    static let up2 = Labels(["__name__": "up", "job": "api", "instance": "b"])

    static let group = RuleGroup(name: "api", file: "api.yml", rules: [
        .recording(RecordingRule(record: "job:up:count", expr: "count by (job, instance) (up)")),
        .alerting(AlertingRule(alert: "Down", expr: "up == 0", holdDuration: 2 * minute)),
    ])

    /// Canned query results: `count by (job, instance) (up)` returns one sample per present
    /// instance, `up == 0` the instances that are down.
    static func query(present: [Labels], down: [Labels]) -> (String, Timestamp) async throws -> QueryValue {
        { expr, time in
            switch expr {
            case "count by (job, instance) (up)":
                return .vector(present.map { VectorElement(labels: Labels(["job": $0["job"]!, "instance": $0["instance"]!]), timestamp: time, value: 1) })
            case "up == 0":
                return .vector(down.map { VectorElement(labels: $0, timestamp: time, value: 0) })
            default:
                throw RuleEvaluationError("unexpected query \(expr)")
            }
        }
    }

    @Test func roundsWriteRecordingsStalenessAndAlertSeriesAndHandOverAlerts() async {
        var evaluation = GroupEvaluation(group: Self.group)
        let start: Int64 = 1_700_000_000_000
        var fired: [String] = []
        for minute in 0..<5 {
            let time = start + Int64(minute) * Self.minute
            let present = minute < 3 ? [Self.up, Self.up2] : [Self.up]
            let round = await evaluation.evaluate(at: time, query: Self.query(present: present, down: [Self.up]))
            let recorded = round.samples.filter { $0.labels.metricName == "job:up:count" }
            #expect(recorded.allSatisfy { $0.timestamp == time })
            if minute == 3 {
                // Instance b vanished: its recorded series gets a staleness marker.
                #expect(recorded.filter { StaleNaN.isStale($0.value) }.map { $0.labels["instance"] } == ["b"])
            } else {
                #expect(!recorded.contains { StaleNaN.isStale($0.value) })
            }
            let alertState = round.samples.first { $0.labels.metricName == "ALERTS" && !StaleNaN.isStale($0.value) }?.labels["alertstate"]
            #expect(alertState == (minute < 2 ? "pending" : "firing"), "minute \(minute)")
            // The pending series ends with a staleness marker the round the alert fires.
            let ended = round.samples.filter { StaleNaN.isStale($0.value) && $0.labels.metricName == "ALERTS" }.map { $0.labels["alertstate"] }
            #expect(ended == (minute == 2 ? ["pending"] : []), "minute \(minute)")
            fired += round.alerts.map { "\($0.state.rawValue)@\(minute)" }
            #expect(evaluation.health.values.allSatisfy { $0.error == nil && $0.lastEvaluation == time })
        }
        #expect(fired == ["firing@2", "firing@3", "firing@4"])
    }

    @Test func aFailingRuleIsReportedAndTheOthersStillRun() async {
        var evaluation = GroupEvaluation(group: RuleGroup(name: "g", file: "f", rules: [
            .recording(RecordingRule(record: "broken", expr: "nonsense")),
            .recording(RecordingRule(record: "job:up:count", expr: "count by (job, instance) (up)")),
        ]))
        let round = await evaluation.evaluate(at: 0, query: Self.query(present: [Self.up], down: []))
        #expect(evaluation.health[0]?.error == "unexpected query nonsense")
        #expect(evaluation.health[1]?.error == nil)
        #expect(round.samples.map(\.labels.metricName) == ["job:up:count"])
    }

    @Test func aReloadKeepsTheStateOfUnchangedRulesOnly() async {
        var evaluation = GroupEvaluation(group: Self.group)
        for minute in 0..<3 {
            _ = await evaluation.evaluate(at: Int64(minute) * Self.minute, query: Self.query(present: [Self.up], down: [Self.up]))
        }
        #expect(evaluation.alertStates[1]?.active.values.first?.state == .firing)
        // The same rules: the firing alert carries on. An edited rule starts over.
        var reloaded = GroupEvaluation(group: Self.group)
        reloaded.adopt(evaluation)
        #expect(reloaded.alertStates[1]?.active.values.first?.state == .firing)
        var edited = Self.group
        edited.rules[1] = .alerting(AlertingRule(alert: "Down", expr: "up == 0", holdDuration: 5 * Self.minute))
        var restarted = GroupEvaluation(group: edited)
        restarted.adopt(evaluation)
        #expect(restarted.alertStates[1]?.active.isEmpty == true)
        let round = await restarted.evaluate(at: 3 * Self.minute, query: Self.query(present: [Self.up], down: [Self.up]))
        #expect(round.samples.first { $0.labels.metricName == "ALERTS" && !StaleNaN.isStale($0.value) }?.labels["alertstate"] == "pending")
        // The edited rule's predecessor wrote the firing series; it ends now.
        #expect(round.samples.contains { $0.labels["alertstate"] == "firing" && StaleNaN.isStale($0.value) })
    }

    @Test func seriesOfRemovedRulesAndGroupsEndWithStalenessMarkers() async {
        var evaluation = GroupEvaluation(group: Self.group)
        _ = await evaluation.evaluate(at: 0, query: Self.query(present: [Self.up], down: [Self.up]))
        // The alerting rule is removed: what it wrote ends at the next round, the recording stays.
        var reloaded = GroupEvaluation(group: RuleGroup(name: "api", file: "api.yml", rules: [Self.group.rules[0]]))
        reloaded.adopt(evaluation)
        let round = await reloaded.evaluate(at: Self.minute, query: Self.query(present: [Self.up], down: [Self.up]))
        let ended = round.samples.filter { StaleNaN.isStale($0.value) }.map { $0.labels.metricName ?? "" }.sorted()
        #expect(ended == ["ALERTS", "ALERTS_FOR_STATE"])
        let next = await reloaded.evaluate(at: 2 * Self.minute, query: Self.query(present: [Self.up], down: [Self.up]))
        #expect(!next.samples.contains { StaleNaN.isStale($0.value) }, "marked once")
        // The whole group is removed: every series it wrote last ends.
        let retired = reloaded.retired(at: 3 * Self.minute)
        #expect(retired.map { $0.labels.metricName ?? "" } == ["job:up:count"])
        #expect(retired.allSatisfy { StaleNaN.isStale($0.value) && $0.timestamp == 3 * Self.minute })
    }
}

/// After a restart, alerts get back the pending time `ALERTS_FOR_STATE` saved.
@Suite struct RestoreForStateTests {
    static let minute: Int64 = 60_000
    static let series = Labels(["__name__": "up", "instance": "a"])
    static let alertLabels = Labels(["alertname": "Down", "instance": "a"])

    /// Down for `pendingBefore` minutes when Surge stopped, restarted `downFor` minutes later; `for` is 30 minutes.
    @Test(arguments: [
        // Was firing: fires again at once.
        (40, 5, Int64(0)),
        // 5 minutes left, under the 10-minute grace period: fires after the grace period.
        (25, 5, 10),
        // 20 minutes left (and the 15 s between the last saved sample and the stop, counted as
        // down): waits those, the outage not counted; the next round after 20 m 15 s is at 21 m.
        (10, 5, 21),
    ])
    func pendingTimeIsRestored(pendingBefore: Int, downFor: Int, minutesUntilFiring: Int64) async {
        let rule = AlertingRule(alert: "Down", expr: "up == 0", holdDuration: 30 * Self.minute)
        let stoppedAt: Int64 = 1_700_000_000_000
        let activeBefore = stoppedAt - Int64(pendingBefore) * Self.minute
        let restart = stoppedAt + Int64(downFor) * Self.minute
        var evaluation = GroupEvaluation(group: RuleGroup(name: "g", file: "f", rules: [.alerting(rule)]))
        evaluation.restoreForState = .init()
        let query: (String, Timestamp) async throws -> QueryValue = { expr, time in
            if expr.hasPrefix("ALERTS_FOR_STATE") {
                #expect(expr == #"ALERTS_FOR_STATE{alertname="Down"}[3600000ms]"#)
                var labels = Self.alertLabels.dictionary
                labels["__name__"] = "ALERTS_FOR_STATE"
                return .matrix([Series(labels: Labels(labels), samples: [Sample(timestamp: stoppedAt - 15_000, value: Double(activeBefore / 1000))])])
            }
            return .vector([VectorElement(labels: Self.series, timestamp: time, value: 0)])
        }
        let first = await evaluation.evaluate(at: restart, query: query)
        #expect(first.samples.isEmpty, "no alert series before the state is restored")
        var firedAt: Int64?
        for minute in 1...40 where firedAt == nil {
            let time = restart + Int64(minute) * Self.minute
            let round = await evaluation.evaluate(at: time, query: query)
            if round.samples.contains(where: { $0.labels["alertstate"] == "firing" }) { firedAt = Int64(minute) }
        }
        #expect(firedAt == max(minutesUntilFiring, 1), "fired \(String(describing: firedAt)) minutes after the restart")
    }
}
