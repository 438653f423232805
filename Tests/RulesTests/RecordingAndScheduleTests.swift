import Rules
import Testing
import TimeSeriesCore

@Suite struct RecordingAndScheduleTests {
    @Test func recordingRulesRenameAndLabelTheirOutput() throws {
        let rule = RecordingRule(record: "job:up:sum", expr: "sum by (job, env) (up)", labels: ["env": "", "source": "rule"])
        let result: Vector = [VectorElement(labels: Labels(["job": "a", "env": "dev"]), timestamp: 0, value: 3),
                              VectorElement(labels: Labels(["__name__": "up", "job": "b"]), timestamp: 0, value: 1)]
        let output = try rule.output(of: result, at: 60_000, groupLabels: ["source": "group", "team": "x"]).get()
        #expect(output == [VectorElement(labels: Labels(["__name__": "job:up:sum", "job": "a", "source": "rule", "team": "x"]), timestamp: 60_000, value: 3),
                           VectorElement(labels: Labels(["__name__": "job:up:sum", "job": "b", "source": "rule", "team": "x"]), timestamp: 60_000, value: 1)])
        // Dropping env makes two results one label set.
        let clash: Vector = [VectorElement(labels: Labels(["job": "a", "env": "dev"]), timestamp: 0, value: 1),
                             VectorElement(labels: Labels(["job": "a", "env": "prod"]), timestamp: 0, value: 2)]
        #expect(throws: RuleEvaluationError("vector contains metrics with the same labelset after applying rule labels")) {
            try rule.output(of: clash, at: 0).get()
        }
        #expect(throws: RuleEvaluationError("exceeded limit of 1 with 2 series")) { try rule.output(of: result, at: 0, limit: 1).get() }
        // Series of the last round that are gone get staleness markers.
        let stale = staleMarkers(previous: Set(output.map(\.labels)), current: Array(output.prefix(1)), at: 120_000)
        #expect(stale.count == 1 && stale[0].labels["job"] == "b" && StaleNaN.isStale(stale[0].value) && stale[0].timestamp == 120_000)
    }

    @Test func groupsEvaluateOnTheirIntervalAtAStableOffset() {
        let schedule = GroupSchedule(name: "node", file: "/etc/surge/rules/node.yml", interval: 60_000)
        #expect(schedule == GroupSchedule(name: "node", file: "/etc/surge/rules/node.yml", interval: 60_000))
        #expect((0..<60_000).contains(schedule.offset))
        let other = GroupSchedule(name: "kubelet", file: "/etc/surge/rules/node.yml", interval: 60_000)
        #expect(other.offset != schedule.offset)
        for now in [Int64(1_700_000_000_000), 1_700_000_000_000 + schedule.offset, 1_700_000_059_999, -5] {
            let last = schedule.evaluationTime(atOrBefore: now)
            #expect(last <= now && now - last < 60_000 && (last - schedule.offset) % 60_000 == 0, "\(now)")
            #expect(schedule.nextEvaluation(after: now) == last + 60_000)
        }
    }

    @Test func theOffsetIsPrometheus() {
        // Reference values from the xxhash package (Python), the same xxHash64 Go's cespare/xxhash computes.
        #expect(xxHash64([UInt8]()) == 0xEF46_DB37_51D8_E999)
        #expect(xxHash64(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        #expect(xxHash64((0..<100).map { UInt8($0) }) == 0x6AC1_E580_3216_6597)
        #expect(xxHash64(Array("file".utf8) + [0xff] + Array("/etc/rules.yml".utf8) + [0xff] + Array("name".utf8) + [0xff] + Array("node".utf8) + [0xff])
                == 0xC58E_30E0_5831_2371)
        // That hash modulo the interval in nanoseconds, in whole milliseconds, as Prometheus' EvalTimestamp.
        #expect(GroupSchedule(name: "node", file: "/etc/rules.yml", interval: 60_000).offset == 32_275)
        #expect(GroupSchedule(name: "node", file: "/etc/rules.yml", interval: 15_000).offset == 2_275)
    }
}
