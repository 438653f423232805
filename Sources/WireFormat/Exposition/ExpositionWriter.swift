import TimeSeriesCore

/// One metric family to expose: its name, what it is, and its samples (each with the full label set,
/// metric name included, as the family's series or its `_total`, `_bucket`, ... children).
public struct ExpositionFamily: Sendable {
    public var name: String
    public var metadata: MetricMetadata
    public var samples: [ExpositionSample]

    public init(name: String, metadata: MetricMetadata, samples: [ExpositionSample]) {
        self.name = name
        self.metadata = metadata
        self.samples = samples
    }
}

extension ExpositionFormat {
    /// The format a scraper asks for in `Accept`: OpenMetrics when it names
    /// `application/openmetrics-text` with a non-zero quality ahead of or above text, else text 0.0.4,
    /// as Prometheus' client libraries negotiate.
    public init(accept: String?) {
        var best: (format: ExpositionFormat, quality: Double) = (.text, -1)
        for part in (accept ?? "").split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingSpaces() }
            guard let type = fields.first?.lowercased() else { continue }
            let quality = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            let format: ExpositionFormat? = type == "application/openmetrics-text" ? .openMetrics
                : type == "text/plain" || type == "*/*" ? .text : nil
            if let format, quality > 0, quality > best.quality { best = (format, quality) }
        }
        self = best.format
    }

    public var contentType: String {
        switch self {
        case .text: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }
}

/// Writes metric families in text format 0.0.4 or OpenMetrics 1.0, as a Prometheus client library
/// serves them: `# HELP` (when there is help) and `# TYPE` before each family's samples; in OpenMetrics a counter family
/// is named without `_total`, timestamps are in seconds, types Prometheus does not know there are
/// `unknown`, and the exposition ends with `# EOF`.
public enum ExpositionWriter {
    public static func write(_ families: [ExpositionFamily], format: ExpositionFormat) -> [UInt8] {
        var out = ""
        out.reserveCapacity(families.reduce(0) { $0 + $1.samples.count } * 96)
        for family in families where !family.samples.isEmpty {
            let name = format == .openMetrics && family.metadata.type == .counter && family.name.hasSuffix("_total")
                ? String(family.name.dropLast(6)) : family.name
            if !family.metadata.help.isEmpty {
                out += "# HELP \(name) \(escape(family.metadata.help, quotes: format == .openMetrics))\n"
            }
            out += "# TYPE \(name) \(typeName(family.metadata.type, format))\n"
            if format == .openMetrics && !family.metadata.unit.isEmpty { out += "# UNIT \(name) \(family.metadata.unit)\n" }
            for sample in family.samples {
                out += sample.labels.metricName ?? family.name
                let rest = sample.labels.pairs.filter { $0.name != metricNameLabel }
                if !rest.isEmpty {
                    out += "{"
                    for (index, label) in rest.enumerated() {
                        if index > 0 { out += "," }
                        out += label.name + "=\"" + escape(label.value, quotes: true) + "\""
                    }
                    out += "}"
                }
                out += " " + formatSampleValue(sample.value)
                if let timestamp = sample.timestamp {
                    out += " " + (format == .text ? String(timestamp) : formatSampleValue(Double(timestamp) / 1000))
                }
                out += "\n"
            }
        }
        if format == .openMetrics { out += "# EOF\n" }
        return Array(out.utf8)
    }

    static func typeName(_ kind: MetricMetadata.Kind, _ format: ExpositionFormat) -> String {
        switch (kind, format) {
        case (.unknown, .text), (.info, .text), (.stateset, .text), (.gaugehistogram, .text): "untyped"
        default: kind.rawValue
        }
    }

    /// Label values escape `\`, `"` and newlines; text 0.0.4's HELP escapes only `\` and newlines.
    static func escape(_ text: String, quotes: Bool) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\"") }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\"" where quotes: out += "\\\""
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}
