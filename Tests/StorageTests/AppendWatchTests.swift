import Foundation
import Logging
import SurgeTestKit
import TimeSeriesCore
import Testing
@testable import Storage

/// Append watches count the appends that store samples of the series their matchers select,
/// including series created after the watch, and nothing else.
@Suite struct AppendWatchTests {
    func series(_ pod: String, _ name: String = "http_requests_per_second", at time: Int64, _ value: Double = 1) -> SeriesSamples {
        SeriesSamples(labels: Labels(["__name__": name, "namespace": "shop", "pod": pod]), samples: [Sample(timestamp: time, value: value)])
    }

    @Test func countsOnlyAppendsToWatchedSeries() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Database(directory: dir.url, logger: Logger(label: "test"))
        defer { db.close() }
        _ = try db.append([series("web-1", at: 1000), series("api-1", at: 1000)])
        let watch = try #require(db.watch([try LabelMatcher(.equal, "__name__", "http_requests_per_second"),
                                           try LabelMatcher(.regexMatch, "pod", "web-.*")]))
        #expect(watch.generation == 0)
        _ = try db.append([series("api-1", at: 2000), series("web-1", "other_metric", at: 2000)])
        #expect(watch.generation == 0)
        _ = try db.append([series("web-1", at: 2000), series("api-1", at: 3000)])
        #expect(watch.generation == 1)
        // A series created after the watch is watched too; one append with two watched series counts once.
        _ = try db.append([series("web-2", at: 2000), series("web-1", at: 3000)])
        #expect(watch.generation == 2)
        // A refused sample (out of order) stores nothing, so it does not count.
        _ = try db.append([series("web-1", at: 1500)])
        #expect(watch.generation == 2)

        let other = try #require(db.watch([try LabelMatcher(.equal, "pod", "api-1")]))
        _ = try db.append([series("web-2", at: 3000)])
        #expect(watch.generation == 3 && other.generation == 0)
        db.unwatch(watch)
        _ = try db.append([series("web-2", at: 4000), series("api-1", at: 4000)])
        #expect(watch.generation == 3 && other.generation == 1)
    }

    @Test func slotsRunOutAndComeBack() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Database(directory: dir.url, logger: Logger(label: "test"))
        defer { db.close() }
        let matcher = try LabelMatcher(.equal, "pod", "web-1")
        let all = (0..<AppendWatch.slots).compactMap { _ in db.watch([matcher]) }
        #expect(all.count == AppendWatch.slots)
        #expect(db.watch([matcher]) == nil)
        db.unwatch(all[10])
        let again = try #require(db.watch([matcher]))
        _ = try db.append([series("web-1", at: 1000)])
        #expect(again.generation == 1 && all[11].generation == 1 && all[10].generation == 0)
    }

    /// The stream face of a watch: an element per append that stored a watched sample, the unread
    /// ones coalesced, and the slot released when the stream ends.
    @Test func arrivalsStreamDeliversAndReleasesItsSlot() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Database(directory: dir.url, logger: Logger(label: "test"))
        defer { db.close() }
        let matcher = try LabelMatcher(.regexMatch, "pod", "web-.*")
        var stream: AsyncStream<Void>? = try #require(db.arrivals(matching: [matcher]))
        var iterator = stream!.makeAsyncIterator()
        _ = try db.append([series("web-1", at: 1000)])
        _ = try db.append([series("web-1", at: 2000)])
        _ = try db.append([series("api-1", at: 2000)])
        // Two appends while nobody read: one element.
        #expect(await iterator.next() != nil)
        _ = try db.append([series("web-2", at: 3000)])
        #expect(await iterator.next() != nil)
        // Every slot but the stream's can be taken; dropping the stream frees its slot.
        let others = (1..<AppendWatch.slots).compactMap { _ in db.watch([matcher]) }
        #expect(others.count == AppendWatch.slots - 1)
        #expect(db.arrivals(matching: [matcher]) == nil)
        stream = nil
        iterator = AsyncStream<Void> { $0.finish() }.makeAsyncIterator()
        #expect(db.watch([matcher]) != nil)
    }
}
