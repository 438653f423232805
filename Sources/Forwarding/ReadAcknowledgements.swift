import Storage

/// Which part of the log the receiver has taken. Each read of the log ends at a position and brings
/// some samples; the samples of several reads wait in the shards and go in batches, in any order
/// across shards. A read's end position may be kept (a restart resumes there) once its samples and
/// those of every earlier read are acknowledged (or dropped for good), so nothing unsent is skipped
/// however the shards interleave, and the position moves on while the queue never empties.
public struct ReadAcknowledgements: Sendable, Equatable {
    private var reads: [(number: Int, end: WALTail.Position?, left: Int)] = []
    private var next = 0

    public init() {}

    /// Records a read of `count` samples ending at `end`; returns the read's number for its samples.
    public mutating func read(_ count: Int, endingAt end: WALTail.Position?) -> Int {
        defer { next += 1 }
        reads.append((next, end, count))
        return next
    }

    /// `count` samples of read `number` were taken by the receiver, or dropped for good.
    public mutating func done(_ count: Int, ofRead number: Int) {
        guard let first = reads.first, number >= first.number, number - first.number < reads.count else { return }
        reads[number - first.number].left -= count
    }

    /// The end of the newest read that, with every earlier one, is all acknowledged; nil when that
    /// has not moved since the last call.
    public mutating func acknowledged() -> WALTail.Position? {
        var position: WALTail.Position?
        while let first = reads.first, first.left <= 0 {
            position = first.end ?? position
            reads.removeFirst()
        }
        return position
    }

    /// Reads not yet acknowledged in full.
    public var waiting: Int { reads.count }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.next == rhs.next && lhs.reads.map(\.number) == rhs.reads.map(\.number) && lhs.reads.map(\.left) == rhs.reads.map(\.left)
    }
}
