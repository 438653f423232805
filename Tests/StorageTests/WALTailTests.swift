import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore
@testable import Storage

/// Reading the write-ahead log as it grows, as remote-write out does.
@Suite struct WALTailTests {
    static func bytes(_ records: [WALRecord]) -> [UInt8] {
        var out: [UInt8] = []
        for record in records { record.encode(into: &out) }
        return out
    }

    static let a = Labels(["__name__": "up", "job": "a"]), b = Labels(["__name__": "up", "job": "b"])

    @Test func readsWhatIsAppendedWithLabelsAndNothingTwice() throws {
        let dir = try TemporaryDirectory(prefix: "surge-wal-tail")
        defer { dir.remove() }
        let wal = try WriteAheadLog(directory: dir.url, segmentSize: 1 << 20, syncPolicy: .never)
        try wal.write(Self.bytes([.series([(SeriesRef(1), Self.a), (SeriesRef(2), Self.b)]), .samples([(1, 1_000, 1), (2, 1_000, 0)])]))
        var tail = WALTail(directory: dir.url)
        #expect(try tail.read().map(\.labels) == [Self.a, Self.b])
        #expect(try tail.read().isEmpty)
        try wal.write(Self.bytes([.samples([(1, 2_000, 1)])]))
        #expect(try tail.read() == [WALTail.Sample(labels: Self.a, timestamp: 2_000, value: 1)])
        // A record still being written is left for the next read.
        let record = Self.bytes([.samples([(2, 3_000, 1)])])
        let path = dir.url.appendingPathComponent("00000000").path
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(record.prefix(5)))
        #expect(try tail.read().isEmpty)
        try handle.write(contentsOf: Data(record.dropFirst(5)))
        try handle.close()
        #expect(try tail.read() == [WALTail.Sample(labels: Self.b, timestamp: 3_000, value: 1)])
        // A reader that starts at the stopped reader's position goes on from there.
        var resumed = WALTail(directory: dir.url, from: tail.position)
        try wal.write(Self.bytes([.samples([(1, 4_000, 1)])]))
        #expect(try resumed.read() == [WALTail.Sample(labels: Self.a, timestamp: 4_000, value: 1)],
                "a resumed reader learns the series written before its position, and sends nothing from before it")
    }

    @Test func followsSegmentsAndCountsWhatACheckpointRemovedUnread() throws {
        let dir = try TemporaryDirectory(prefix: "surge-wal-tail")
        defer { dir.remove() }
        let wal = try WriteAheadLog(directory: dir.url, segmentSize: 64, syncPolicy: .never)
        try wal.write(Self.bytes([.series([(SeriesRef(1), Self.a)])]))
        for t in 1...6 { try wal.write(Self.bytes([.samples([(SeriesRef(1), Int64(t) * 1_000, Double(t))])])) }
        var tail = WALTail(directory: dir.url)
        #expect(try tail.read().map(\.value) == [1, 2, 3, 4, 5, 6])
        #expect(try wal.segmentNumbers().count > 1, "the small segments rolled over")
        // The reader falls behind; the log is checkpointed past it.
        var behind = WALTail(directory: dir.url, from: WALTail.Position(segment: 0, offset: 0))
        _ = try behind.read(maxBytes: 1)
        let closed = try wal.cutSegment()
        let size = try WriteAheadLog.writeCheckpointFile(Self.bytes([.series([(SeriesRef(1), Self.a)])]), number: closed, directory: dir.url)
        try wal.checkpointWritten(closed, size: size)
        try wal.write(Self.bytes([.samples([(1, 7_000, 7)])]))
        #expect(try behind.read().map(\.value) == [7], "the checkpoint's series name the samples after it")
        #expect(behind.segmentsLost > 0)
        #expect(try tail.read().map(\.value) == [7])
        #expect(tail.segmentsLost == 0, "it had read all of the segment the checkpoint removed")
    }
}
