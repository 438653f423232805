import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import SurgeTestKit
import Testing
import TimeSeriesCore
@testable import Storage

/// `storage.wal_fsync`: `always` flushes every append to disk before it is acknowledged, and a failed
/// flush fails the append; `never` leaves flushing to the kernel, except when a segment is cut or closed.
@Suite struct WALSyncTests {
    final class FlushCounter: Sendable {
        let count = Mutex(0)
        let failing = Mutex(false)

        func flush(_ fd: Int32) -> Int32 {
            count.withLock { $0 += 1 }
            if failing.withLock({ $0 }) {
                errno = EIO
                return -1
            }
            return fsync(fd)
        }
    }

    func batch(_ value: Double, at t: Int64) -> [SeriesSamples] {
        [SeriesSamples(labels: Labels(["__name__": "w", "pod": "a"]), samples: [Sample(timestamp: t, value: value)])]
    }

    @Test(arguments: [WALSyncPolicy.always, .never])
    func flushesFollowThePolicy(policy: WALSyncPolicy) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Database(directory: dir.url, options: DatabaseOptions(walSync: policy), logger: StorageFixtures.logger)
        let counter = FlushCounter()
        db.state.withLock { $0.wal.flushFile = counter.flush }
        for i in 0..<3 { _ = try db.append(batch(Double(i), at: Int64(i + 1) * 1_000)) }
        #expect(counter.count.withLock { $0 } == (policy == .always ? 3 : 0))
        db.close()
        #expect(counter.count.withLock { $0 } == (policy == .always ? 4 : 1), "closing flushes the open segment")
    }

    @Test func aFailedFlushFailsTheAppendAndKeepsWhatWasAcknowledged() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        do {
            let db = try Database(directory: dir.url, options: DatabaseOptions(walSync: .always), logger: StorageFixtures.logger)
            let counter = FlushCounter()
            db.state.withLock { $0.wal.flushFile = counter.flush }
            _ = try db.append(batch(1, at: 1_000))
            counter.failing.withLock { $0 = true }
            #expect(throws: WALError.self) { try db.append(batch(2, at: 2_000)) }
            counter.failing.withLock { $0 = false }
            _ = try db.append(batch(3, at: 3_000))
            let samples = db.select([try LabelMatcher(.equal, "__name__", "w")], mint: 0, maxt: 10_000).first?.samples ?? []
            #expect(samples.map(\.value) == [1, 3], "the unacknowledged sample is not in the head")
            db.close()
        }
        let reopened = try Database(directory: dir.url, logger: StorageFixtures.logger)
        let replayed = reopened.select([try LabelMatcher(.equal, "__name__", "w")], mint: 0, maxt: 10_000).first?.samples ?? []
        #expect(replayed.map(\.value) == [1, 3], "acknowledged samples survive, the failed one is cut from the WAL: \(replayed)")
    }
}
