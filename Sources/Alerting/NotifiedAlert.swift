import TimeSeriesCore

/// An alert as notifiers see it: Alertmanager's alert model.
public struct NotifiedAlert: Sendable, Equatable {
    public var labels: Labels
    public var annotations: [String: String]
    public var startsAt: Timestamp
    /// When the alert ends (resolved) or, for a firing one, until when it is valid.
    public var endsAt: Timestamp?
    public var generatorURL: String

    public init(labels: Labels, annotations: [String: String], startsAt: Timestamp, endsAt: Timestamp?, generatorURL: String = "") {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
    }

    public var fingerprint: UInt64 { alertFingerprint(labels) }

    /// Resolved once its end time has passed, as Alertmanager decides.
    public func isResolved(at time: Timestamp) -> Bool { endsAt.map { $0 <= time } ?? false }
}

/// Alertmanager's fingerprint of a label set (model.LabelSet.Fingerprint): FNV-1a over each name
/// and value, sorted by name, each followed by the byte 0xff.
public func alertFingerprint(_ labels: Labels) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    func add(_ byte: UInt8) {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    for pair in labels.pairs {
        for byte in pair.name.utf8 { add(byte) }
        add(0xff)
        for byte in pair.value.utf8 { add(byte) }
        add(0xff)
    }
    return hash
}
