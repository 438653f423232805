import Foundation
import Logging
import TimeSeriesCore

/// Writes each log entry as one line to standard output, by default in the layout of swift-log's
/// stream handler: `2026-12-06T06:16:14+0000 info surge: key=value [Module] message`; or, as
/// Prometheus' `--log.format` offers, logfmt (`ts=... level=info component=surge source=Module
/// msg="message" key=value`) or one JSON object per line with the same keys.
///
/// Metadata is formatted when an entry is written, not when it is set: the HTTP server sets a
/// request id on every request's logger, and most requests log nothing.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var format: Format = .line
    private let label: String

    public enum Format: String, Sendable, CaseIterable {
        case line, logfmt, json
    }
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
        switch format {
        case .line:
            write(Self.line(time: Self.timestamp(), level: event.level, label: label, metadata: merged,
                            source: event.source, message: event.message.description))
        case .logfmt, .json:
            write(Self.structured(format, time: Self.timestamp(), level: event.level, label: label, metadata: merged,
                                  source: event.source, message: event.message.description))
        }
    }

    /// One entry as logfmt or a JSON object: ts, level, component, source, msg, then the metadata in
    /// key order. Levels are Prometheus' words where they differ (warning is warn).
    static func structured(_ format: Format, time: String, level: Logger.Level, label: String, metadata: Logger.Metadata,
                           source: String, message: String) -> String {
        let levelWord = level == .warning ? "warn" : "\(level)"
        var pairs: [(String, String)] = [("ts", time), ("level", levelWord)]
        if !label.isEmpty { pairs.append(("component", label)) }
        pairs.append(("source", source))
        pairs.append(("msg", message))
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { pairs.append((key, "\(value)")) }
        if format == .json {
            return "{" + pairs.map { "\(goJSONString($0.0)):\(goJSONString($0.1))" }.joined(separator: ",") + "}\n"
        }
        return pairs.map { "\(logfmtKey($0.0))=\(logfmtValue($0.1))" }.joined(separator: " ") + "\n"
    }

    /// A logfmt value: bare when it can be, else quoted with JSON's escapes (as go-logfmt does).
    static func logfmtValue(_ text: String) -> String {
        let needsQuotes = text.isEmpty || text.unicodeScalars.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7f }
        return needsQuotes ? goJSONString(text) : text
    }

    /// A logfmt key: characters a key cannot hold become underscores.
    static func logfmtKey(_ key: String) -> String {
        String(key.unicodeScalars.map { $0 == " " || $0 == "=" || $0 == "\"" || $0.value <= 0x20 ? "_" : Character($0) })
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
