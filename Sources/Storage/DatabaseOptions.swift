import TimeSeriesCore

/// Settings of the time-series database, with the defaults `surge serve` uses.
public struct DatabaseOptions: Sendable, Equatable {
    /// When WAL appends are flushed to disk. Default `.never`: the kernel flushes, as in Prometheus.
    public var walSync: WALSyncPolicy = .never
    /// Size at which a WAL segment is closed and a new one started. Default 128 MiB.
    public var walSegmentSize: Int = 128 << 20
    /// Span of the blocks the head is cut into, in milliseconds. Default 2 hours.
    public var blockRange: Int64 = 2 * 3_600_000
    /// Blocks whose data is older than this, measured from the newest sample, are deleted.
    /// Default 15 days, as Prometheus; nil keeps everything.
    public var retentionTime: Int64? = 15 * 24 * 3_600_000
    /// Oldest blocks are deleted while blocks, WAL and head chunks exceed this. Default nil (no limit).
    public var retentionBytes: Int?
    /// How far behind the newest sample an older sample is still accepted, in milliseconds.
    /// Default 0: out-of-order samples are refused, as in Prometheus.
    public var outOfOrderWindow: Int64 = 0
    /// How far ahead of the clock a sample is still accepted, in milliseconds. Default 10 minutes:
    /// real senders' clocks are that close, and one sample from far ahead would otherwise move
    /// time retention's reference and the head's window past everything stored. Nil accepts any time.
    public var futureWindow: Int64? = 10 * 60_000
    public var limits = StorageLimits()
    /// Agent mode: samples go to the write-ahead log only, for forwarding; the head keeps each
    /// series' labels and newest sample, and nothing is queryable. Default false.
    public var agent = false

    /// How far behind the newest sample a sample is still accepted after the head was written into
    /// blocks (by a cut or a flush): half a block range, as Prometheus' head keeps, so senders
    /// that lag (a queue catching up, a restart) are not refused because a block was written.
    public var ingestionLag: Int64 { blockRange / 2 }

    /// The oldest time appends accept once blocks end at `persistedEnd` and the newest sample is
    /// `newest`: the blocks' end, but never closer to the newest sample than `ingestionLag`.
    func minValidTime(persistedEnd: Timestamp, newest: Timestamp) -> Timestamp {
        let (behind, overflow) = newest.subtractingReportingOverflow(ingestionLag)
        return min(persistedEnd, overflow ? .min : behind)
    }

    public init() {}

    public init(walSync: WALSyncPolicy = .never, walSegmentSize: Int = 128 << 20) {
        self.walSync = walSync
        self.walSegmentSize = walSegmentSize
    }
}

/// Bounds on what one write may create. Exceeding one refuses the offending series' samples only.
public struct StorageLimits: Sendable, Equatable {
    /// Series in the head. Default 5,000,000.
    public var maxSeries = 5_000_000
    /// Labels of one series, the metric name included. Default 64.
    public var maxLabelsPerSeries = 64
    /// Bytes of a label name. Default 1,024.
    public var maxLabelNameLength = 1024
    /// Bytes of a label value. Default 4,096.
    public var maxLabelValueLength = 4096

    public init() {}

    /// The limit `labels` breaks, with a message naming it, or nil.
    func violation(_ labels: Labels) -> (AppendRejection, String)? {
        if labels.pairs.count > maxLabelsPerSeries {
            return (.labelsPerSeriesLimit, "series \(labels) has \(labels.pairs.count) labels, more than max_labels_per_series (\(maxLabelsPerSeries))")
        }
        for pair in labels.pairs {
            if pair.name.utf8.count > maxLabelNameLength {
                return (.labelNameLengthLimit, "label name of \(pair.name.utf8.count) bytes in series \(labels.metricName ?? "") exceeds max_label_name_length (\(maxLabelNameLength))")
            }
            if pair.value.utf8.count > maxLabelValueLength {
                return (.labelValueLengthLimit, "value of label \(pair.name) has \(pair.value.utf8.count) bytes in series \(labels.metricName ?? ""), more than max_label_value_length (\(maxLabelValueLength))")
            }
        }
        return nil
    }
}
