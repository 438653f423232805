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
            let alertState = round.samples.first { $0.labels.metricName == "ALERTS" }?.labels["alertstate"]
            #expect(alertState == (minute < 2 ? "pending" : "firing"), "minute \(minute)")
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
        #expect(round.samples.first { $0.labels.metricName == "ALERTS" }?.labels["alertstate"] == "pending")
    }
}
