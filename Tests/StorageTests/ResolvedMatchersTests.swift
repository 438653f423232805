import Foundation
import Logging
import SurgeTestKit
import TimeSeriesCore
import Testing
@testable import Storage

/// Regular expressions are matched against the head's values outside the lock, and the result is
/// used only while the label's values are unchanged; either way a selection finds what matching
/// in place would.
@Suite struct ResolvedMatchersTests {
    static func series(_ pod: String, _ job: String?, at time: Int64) -> SeriesSamples {
        var labels = ["__name__": "up", "pod": pod]
        if let job { labels["job"] = job }
        return SeriesSamples(labels: Labels(labels), samples: [Sample(timestamp: time, value: 1)])
    }

    /// A literal prefix (`web-.*`) is answered by the index's sorted values under the lock instead.
    @Test func prefixedPatternsAreNotResolved() throws {
        #expect(!ResolvedMatchers.worthResolving(try LabelMatcher(.regexMatch, "pod", "web-.*")))
        #expect(!ResolvedMatchers.worthResolving(try LabelMatcher(.regexMatch, "pod", "a|b")))
        #expect(ResolvedMatchers.worthResolving(try LabelMatcher(.regexMatch, "pod", ".*eb-.*")))
        #expect(ResolvedMatchers.worthResolving(try LabelMatcher(.regexNoMatch, "pod", "web-.*")))
    }

    @Test func resolvedValuesSelectWhatMatchingInPlaceSelects() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Database(directory: dir.url, logger: Logger(label: "test"))
        defer { db.close() }
        _ = try db.append([Self.series("web-1", "api", at: 1000), Self.series("web-2", nil, at: 1000),
                           Self.series("db-1", "sql", at: 1000), Self.series("web-3", "", at: 1000)])
        let cases: [[LabelMatcher]] = [
            [try LabelMatcher(.regexMatch, "pod", ".*eb-.*")],
            [try LabelMatcher(.regexMatch, "pod", "(web|db)-1")],
            [try LabelMatcher(.regexNoMatch, "pod", "web-[12]")],
            [try LabelMatcher(.regexMatch, "job", "a.i|")],          // matches the empty value: a filter
            [try LabelMatcher(.regexNoMatch, "job", "s.l")],
            [try LabelMatcher(.regexMatch, "pod", ".*-1"), try LabelMatcher(.regexNoMatch, "job", "")],
        ]
        for matchers in cases {
            let (pending, inPlace) = db.state.withLock { state in
                (ResolvedMatchers.pending(matchers, in: &state.index), state.index.select(matchers))
            }
            #expect(!pending.candidates.isEmpty)
            let resolved = ResolvedMatchers(pending)
            let selected = db.state.withLock { state in
                let current = resolved.current(in: state.index)
                #expect(current.count == pending.candidates.count)
                return state.index.select(matchers, resolved: current)
            }
            #expect(selected == inPlace, "\(matchers)")
            #expect(Set(db.select(matchers, mint: 0, maxt: 2000).map(\.labels)) == Set(db.state.withLock { state in
                inPlace.compactMap { state.index[$0]?.labels }
            }), "\(matchers)")
        }
    }

    @Test func aValueArrivingMeanwhileIsNotMissed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Database(directory: dir.url, logger: Logger(label: "test"))
        defer { db.close() }
        _ = try db.append([Self.series("web-1", "api", at: 1000)])
        let matchers = [try LabelMatcher(.regexMatch, "pod", ".*eb-.*")]
        let pending = db.state.withLock { ResolvedMatchers.pending(matchers, in: &$0.index) }
        let resolved = ResolvedMatchers(pending)
        // A new pod between the matching and the selection: the resolved values are stale.
        _ = try db.append([Self.series("web-2", "api", at: 1000)])
        db.state.withLock { state in
            #expect(resolved.current(in: state.index).isEmpty)
        }
        #expect(db.select(matchers, mint: 0, maxt: 2000).count == 2)
        // A sample for a known value changes nothing.
        let again = db.state.withLock { ResolvedMatchers.pending(matchers, in: &$0.index) }
        _ = try db.append([Self.series("web-1", "api", at: 2000)])
        db.state.withLock { state in
            #expect(ResolvedMatchers(again).current(in: state.index)[0] == ["web-1", "web-2"])
        }
    }
}
