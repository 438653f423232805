import Logging

/// A log handler that keeps every entry, for tests that check what was logged.
public struct RecordingLogHandler: LogHandler {
    public struct Entry: Sendable {
        public let level: Logger.Level
        public let message: String
        /// The handler's metadata and the entry's own, as text.
        public let metadata: [String: String]
    }

    public var logLevel: Logger.Level = .trace
    public var metadata: Logger.Metadata = [:]
    private let entries: SharedValue<[Entry]>

    public init(into entries: SharedValue<[Entry]>) { self.entries = entries }

    /// A logger that records into `entries`.
    public static func logger(into entries: SharedValue<[Entry]>) -> Logger {
        Logger(label: "recording") { _ in RecordingLogHandler(into: entries) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let entry = Entry(level: event.level, message: event.message.description, metadata: merged.mapValues(\.description))
        entries.update { $0.append(entry) }
    }
}
