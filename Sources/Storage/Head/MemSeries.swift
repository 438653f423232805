import TimeSeriesCore

/// Reference of a series in the head, stable for the life of the database (it is also the WAL's).
public typealias SeriesRef = UInt32

/// One series in the head: its labels, sealed chunks and the open chunk being appended to.
struct MemSeries: Sendable {
    let labels: Labels
    private(set) var sealed: [XORChunk] = []
    private(set) var open = XORChunk()
    private(set) var lastTimestamp: Timestamp = .min
    private(set) var lastValueBits: UInt64 = 0

    init(labels: Labels) { self.labels = labels }

    enum AppendOutcome { case appended, duplicate, conflict, outOfOrder }

    /// Appends in timestamp order. A repeat of the last sample is a no-op, as in Prometheus; a repeat
    /// timestamp with another value is refused, and so is an older timestamp.
    mutating func append(_ t: Timestamp, _ v: Double) -> AppendOutcome {
        if t == lastTimestamp {
            return v.bitPattern == lastValueBits ? .duplicate : .conflict
        }
        if t < lastTimestamp { return .outOfOrder }
        if open.isFull {
            sealed.append(open)
            open = XORChunk()
        }
        open.append(t, v)
        lastTimestamp = t
        lastValueBits = v.bitPattern
        return .appended
    }

    var minTime: Timestamp { sealed.first?.minTime ?? (open.count > 0 ? open.minTime : .max) }
    var maxTime: Timestamp { lastTimestamp }

    func overlaps(mint: Timestamp, maxt: Timestamp) -> Bool {
        lastTimestamp != .min && minTime <= maxt && maxTime >= mint
    }

    /// Samples in `[mint, maxt]`, in order.
    func samples(mint: Timestamp, maxt: Timestamp) -> [Sample] {
        var out: [Sample] = []
        func collect(_ chunk: XORChunk) {
            guard chunk.count > 0 && chunk.maxTime >= mint && chunk.minTime <= maxt else { return }
            chunk.forEach { t, v in
                if t > maxt { return false }
                if t >= mint { out.append(Sample(timestamp: t, value: v)) }
                return true
            }
        }
        // Sealed chunks then the open one, without building a combined array per query.
        for chunk in sealed { collect(chunk) }
        collect(open)
        return out
    }

    var chunkBytes: Int { sealed.reduce(open.byteCount) { $0 + $1.byteCount } }
}
