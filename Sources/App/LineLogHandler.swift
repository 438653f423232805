import Foundation
import Logging

/// Writes each log entry as one line to standard output, in the layout of swift-log's stream handler:
/// `2026-12-06T06:16:14+0000 info surge: key=value [Module] message`.
///
/// Metadata is formatted when an entry is written, not when it is set: the HTTP server sets a
/// request id on every request's logger, and most requests log nothing.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void

    /// `write` takes each finished line; by default it goes to standard output.
    public init(label: String, write: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The handler's metadata, then the provider's, then the entry's own; later ones win.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        write(Self.line(time: Self.timestamp(), level: event.level, label: label, metadata: merged,
                        source: event.source, message: event.message.description))
    }

    /// One entry's line; metadata in key order.
    static func line(time: String, level: Logger.Level, label: String, metadata: Logger.Metadata,
                     source: String, message: String) -> String {
        var text = "\(time) \(level)\(label.isEmpty ? "" : " ")\(label):"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { text += " \(key)=\(value)" }
        return text + " [\(source)] \(message)\n"
    }

    private static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
