/// One series and the samples to append to it, as a write request carries them.
public struct SeriesSamples: Sendable {
    public var labels: Labels
    public var samples: [Sample]

    public init(labels: Labels, samples: [Sample]) {
        self.labels = labels
        self.samples = samples
    }
}

/// Why storage refused a sample. The raw value names the reason in metrics.
public enum AppendRejection: String, Sendable, CaseIterable, Comparable {
    case outOfOrder = "out_of_order"
    case duplicate = "duplicate"
    /// Older than the newest persisted block, or older than the out-of-order window allows.
    case tooOld = "too_old"
    /// Further ahead of the clock than the future window allows.
    case tooFarInFuture = "too_far_in_future"
    case seriesLimit = "max_series"
    case labelsPerSeriesLimit = "max_labels_per_series"
    case labelNameLengthLimit = "max_label_name_length"
    case labelValueLengthLimit = "max_label_value_length"

    /// Whether a configured limit refused the sample (rather than its timestamp).
    public var isLimit: Bool {
        switch self {
        case .outOfOrder, .duplicate, .tooOld, .tooFarInFuture: false
        default: true
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What an append accepted and what it refused, per reason.
public struct AppendResult: Sendable, Equatable {
    public var samplesAppended = 0
    public var seriesCreated = 0
    public var rejections: [AppendRejection: Int] = [:]
    /// The first refused sample, for the error message a client sees.
    public var firstRejection: String?

    public init() {}

    public var outOfOrder: Int { rejections[.outOfOrder, default: 0] }
    public var duplicates: Int { rejections[.duplicate, default: 0] }
    public var rejected: Int { rejections.values.reduce(0, +) }

    public mutating func reject(_ reason: AppendRejection, count: Int = 1, _ message: @autoclosure () -> String) {
        guard count > 0 else { return }
        rejections[reason, default: 0] += count
        if firstRejection == nil { firstRejection = message() }
    }
}

/// The write seam of storage. An append returns only once its samples are durable in the
/// write-ahead log, so a caller may acknowledge them.
public protocol SeriesAppender: Sendable {
    func append(_ batch: WriteBatch) throws -> AppendResult
}

extension SeriesAppender {
    public func append(_ series: [SeriesSamples]) throws -> AppendResult {
        try append(WriteBatch(series))
    }
}
