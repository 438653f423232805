import Alerting
import Testing
import TimeSeriesCore

/// A group's notifications over time, as Alertmanager sends them.
@Suite struct AlertGroupTests {
    static let second: Int64 = 1000
    static let options = GroupingOptions(groupBy: ["alertname"], groupWait: 30 * second, groupInterval: 300 * second,
                                         repeatInterval: 3600 * second)

    static func alert(_ instance: String, startsAt: Timestamp, endsAt: Timestamp?) -> NotifiedAlert {
        NotifiedAlert(labels: Labels(["alertname": "Down", "instance": instance]), annotations: [:], startsAt: startsAt, endsAt: endsAt)
    }

    @Test func groupWaitThenIntervalsThenRepeatAndResolve() {
        let start: Int64 = 1_700_000_000_000
        var group = AlertGroupState(groupLabels: Labels(["alertname": "Down"]), options: Self.options, now: start)
        group.insert(Self.alert("a", startsAt: start, endsAt: start + 240 * Self.second), now: start)
        #expect(group.nextFlush == start + 30 * Self.second)
        // A second alert during group_wait goes out with the first.
        group.insert(Self.alert("b", startsAt: start + 10 * Self.second, endsAt: start + 240 * Self.second), now: start + 10 * Self.second)
        var time = group.nextFlush
        let first = group.flush(now: time)
        #expect(first?.alerts.map { $0.labels["instance"] } == ["a", "b"])
        #expect(group.nextFlush == time + 300 * Self.second)
        // Nothing changed at the next interval (the rule keeps the alerts valid): no notification.
        group.insert(Self.alert("a", startsAt: start, endsAt: start + 900 * Self.second), now: time)
        group.insert(Self.alert("b", startsAt: start + 10 * Self.second, endsAt: start + 900 * Self.second), now: time)
        time = group.nextFlush
        #expect(group.flush(now: time) == nil)
        // b resolves: notified as resolved at the next interval, then gone from the group.
        group.insert(Self.alert("b", startsAt: start + 10 * Self.second, endsAt: time + 60 * Self.second), now: time + 60 * Self.second)
        group.insert(Self.alert("a", startsAt: start, endsAt: time + 3600 * Self.second * 2), now: time + 60 * Self.second)
        time = group.nextFlush
        let resolved = group.flush(now: time)
        #expect(resolved?.alerts.map { "\($0.labels["instance"]!):\($0.isResolved(at: time))" } == ["a:false", "b:true"])
        #expect(group.alerts.count == 1)
        let notified = time
        // Unchanged after that: silent until the repeat interval.
        var repeats: [Int64] = []
        for _ in 0..<13 {
            time = group.nextFlush
            if group.flush(now: time) != nil { repeats.append(time) }
        }
        #expect(repeats == [notified + 3600 * Self.second])
    }

    @Test func anAlertThatStartedLongAgoFlushesAtOnceAndResolvedOnlyGroupsStaySilent() {
        let start: Int64 = 1_700_000_000_000
        var group = AlertGroupState(groupLabels: Labels(["alertname": "Down"]), options: Self.options, now: start)
        group.insert(Self.alert("a", startsAt: start - 120 * Self.second, endsAt: start + 240 * Self.second), now: start)
        #expect(group.nextFlush == start)
        // A group whose alerts fired and resolved between flushes, unnotified, sends nothing.
        var quiet = AlertGroupState(groupLabels: Labels(["alertname": "Down"]), options: Self.options, now: start)
        quiet.insert(Self.alert("a", startsAt: start, endsAt: start + 10 * Self.second), now: start)
        #expect(quiet.flush(now: start + 30 * Self.second) == nil)
        #expect(quiet.isEmpty)
    }

    @Test func groupsAreMadeOfTheGroupByLabels() {
        let alert = Self.alert("a", startsAt: 0, endsAt: nil)
        #expect(GroupingOptions(groupBy: ["alertname"]).groupLabels(of: alert) == Labels(["alertname": "Down"]))
        #expect(GroupingOptions(groupBy: []).groupLabels(of: alert) == Labels.empty)
        #expect(GroupingOptions(groupBy: nil).groupLabels(of: alert) == alert.labels)
        #expect(GroupingOptions(groupBy: ["cluster"]).groupLabels(of: alert) == Labels.empty)
    }
}
