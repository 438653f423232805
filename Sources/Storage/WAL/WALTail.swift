import Foundation
import TimeSeriesCore

/// Reads the write-ahead log as it grows, for forwarding samples to other receivers the way
/// Prometheus' remote-write reads its own WAL: from a position (segment and byte offset) onward,
/// complete records only (a record still being written is left for the next read), series records
/// remembered so samples come out with their labels. Starting afresh, the newest checkpoint's series
/// are learnt (its samples were written before and are not sent again). When the segment it was
/// reading is gone (the log was checkpointed past it), it moves to the oldest segment left and
/// counts what it could not read: samples a receiver outage outlasted the log's retention for.
public struct WALTail: Sendable {
    public struct Position: Codable, Sendable, Equatable {
        public var segment: Int
        public var offset: Int

        public init(segment: Int, offset: Int) {
            self.segment = segment
            self.offset = offset
        }
    }

    public struct Sample: Sendable, Equatable {
        public var labels: Labels
        public var timestamp: Timestamp
        public var value: Double
        /// The series' reference in the log: the same for every sample of one series while it lives.
        public var ref: SeriesRef = 0

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.labels == rhs.labels && lhs.timestamp == rhs.timestamp && lhs.value.bitPattern == rhs.value.bitPattern
        }
    }

    public let directory: URL
    public private(set) var position: Position?
    /// Segments that were removed before they could be read.
    public private(set) var segmentsLost = 0
    /// Segments left with an unreadable stretch at their end (damage the writer moved past).
    public private(set) var damagedSegments = 0
    private var series: [SeriesRef: Labels] = [:]
    /// Whether everything in the position's segment had been read when last looked at.
    private var readToSegmentEnd = false
    /// Whether the series written before a resumed position have been learnt.
    private var primed = false

    /// `directory` is the log's directory (`DATA/wal`); `position` where a previous reader stopped.
    public init(directory: URL, from position: Position? = nil) {
        self.directory = directory
        self.position = position
    }

    /// Samples appended since the last read, in the log's order, at most about `maxBytes` of records.
    public mutating func read(maxBytes: Int = 8 << 20) throws -> [Sample] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        let segments = files.filter { $0.count == 8 && $0.allSatisfy(\.isNumber) }.compactMap { Int($0) }.sorted()
        let checkpoint = files.filter { $0.hasPrefix("checkpoint.") && !$0.hasSuffix(".tmp") }.compactMap { Int($0.dropFirst(11)) }.max()
        if position == nil || (segments.first.map { position!.segment < $0 && !segments.contains(position!.segment) } ?? false) {
            if let old = position, let first = segments.first { segmentsLost += max(first - old.segment - (readToSegmentEnd ? 1 : 0), 0) }
            if let checkpoint { try learnCheckpoint(checkpoint) }
            position = Position(segment: segments.first ?? 0, offset: 0)
        } else if !primed, let resumed = position {
            // A reader resuming where another stopped learns the series written before that point
            // (the samples there were sent already).
            if let checkpoint { try learnCheckpoint(checkpoint) }
            for number in segments where number <= resumed.segment {
                guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(String(format: "%08d", number)).path) else { continue }
                learnSeries(data.prefix(number == resumed.segment ? min(resumed.offset, data.count) : data.count))
            }
        }
        primed = true
        var out: [Sample] = []
        var budget = maxBytes
        while budget > 0, var current = position {
            let path = directory.appendingPathComponent(String(format: "%08d", current.segment)).path
            guard let handle = FileHandle(forReadingAtPath: path) else { break }
            defer { try? handle.close() }
            // Only what follows the position is read, a budget's worth at a time (more when one
            // record is larger than that).
            try handle.seek(toOffset: UInt64(current.offset))
            var want = max(budget, 1 << 20)
            var data = Data()
            var end = current.offset
            while true {
                data = try handle.read(upToCount: want) ?? Data()
                var decoded = false
                data.withUnsafeBytes { buffer in
                    var offset = 0
                    while offset < buffer.count, budget > 0, let (record, next) = WriteAheadLog.record(in: buffer, at: offset) {
                        apply(record, into: &out)
                        budget -= next - offset
                        offset = next
                        decoded = true
                    }
                    end = current.offset + offset
                }
                if decoded || data.count < want { break }
                want *= 2
                try handle.seek(toOffset: UInt64(current.offset))
            }
            let atEnd = try handle.seekToEnd() == UInt64(end)
            readToSegmentEnd = atEnd
            current.offset = end
            position = current
            // Done here when a later segment exists: the writer only starts one after finishing this
            // (what is left unread in it is damage the reader cannot pass).
            guard budget > 0 || atEnd, let next = segments.first(where: { $0 > current.segment }) else { break }
            if !atEnd && budget > 0 { damagedSegments += 1 }
            position = Position(segment: next, offset: 0)
            readToSegmentEnd = false
        }
        return out
    }

    private mutating func apply(_ record: WALRecord, into out: inout [Sample]) {
        switch record {
        case .series(let entries):
            for (ref, labels) in entries { series[ref] = labels }
        case .samples(let entries):
            for (ref, timestamp, value) in entries {
                guard let labels = series[ref] else { continue }
                out.append(Sample(labels: labels, timestamp: timestamp, value: value, ref: ref))
            }
        case .chunks:
            break
        }
    }

    private mutating func learnCheckpoint(_ number: Int) throws {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(String(format: "checkpoint.%08d", number)).path) else { return }
        learnSeries(data)
    }

    /// Remembers the series records of `data`; its samples are not wanted.
    private mutating func learnSeries(_ data: Data) {
        var ignored: [Sample] = []
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count, let (record, next) = WriteAheadLog.record(in: buffer, at: offset) {
                if case .series = record { apply(record, into: &ignored) }
                offset = next
            }
        }
    }
}
