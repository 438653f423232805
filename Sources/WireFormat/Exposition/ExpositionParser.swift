import TimeSeriesCore

/// Reads Prometheus text format 0.0.4 and OpenMetrics 1.0 from bytes, line by line, with the rules
/// Prometheus' own parsers apply: name and label charsets, `\\` `\"` `\n` escapes in label values,
/// `\\` and `\n` in HELP (and `\"` in OpenMetrics), integer-millisecond timestamps in text and
/// float-second ones in OpenMetrics, exemplars skipped, `# EOF` required by OpenMetrics. The first
/// problem ends the parse with its line and column.
public enum ExpositionParser {
    public static func parse(_ bytes: [UInt8], format: ExpositionFormat) throws(ExpositionError) -> Exposition {
        var samples: [ExpositionSample] = []
        let metadata = try parse(bytes, format: format, known: { _ in nil }) { series, value, timestamp in
            if case .new(_, let labels) = series { samples.append(ExpositionSample(labels: labels, value: value, timestamp: timestamp)) }
        }
        var exposition = Exposition()
        exposition.samples = samples
        exposition.metadata = metadata
        return exposition
    }
}

/// The per-line work of `ExpositionParser`, holding what has been read so far.
struct ExpositionLineParser {
    let format: ExpositionFormat
    var result = Exposition()
    private var metadataIndex: [String: Int] = [:]

    init(format: ExpositionFormat) {
        self.format = format
    }

    /// Parses one line (without its newline); returns true for OpenMetrics' `# EOF`.
    mutating func parse(line: ArraySlice<UInt8>, number: Int) throws(ExpositionError) -> Bool {
        var cursor = LineCursor(bytes: line, number: number)
        if line.isEmpty {
            if format == .openMetrics { throw cursor.error("unexpected empty line") }
            return false
        }
        if line.first == UInt8(ascii: "#") {
            return try comment(&cursor)
        }
        if format == .text {
            cursor.skipBlanks()
            if cursor.atEnd { return false }
        }
        try sample(&cursor)
        return false
    }

    private mutating func comment(_ cursor: inout LineCursor) throws(ExpositionError) -> Bool {
        cursor.advance()
        if format == .openMetrics && cursor.rest == Array(" EOF".utf8)[...] { return true }
        if format == .text { cursor.skipBlanks() } else if !cursor.take(" ") {
            throw cursor.error("expected a space after #")
        }
        let keywordStart = cursor.position
        let keyword = cursor.word()
        let known = ["HELP", "TYPE"] + (format == .openMetrics ? ["UNIT"] : [])
        guard known.contains(keyword) else {
            if format == .text { return false }  // any other comment
            throw cursor.error("unknown comment \(keyword.debugDescription); OpenMetrics allows HELP, TYPE, UNIT and EOF", at: keywordStart)
        }
        guard cursor.takeBlanks() else { throw cursor.error("expected a space after \(keyword)") }
        let name = try cursor.metricName()
        let text: String
        var textStart = cursor.position
        if cursor.atEnd {
            text = ""
        } else {
            guard cursor.takeBlanks() else { throw cursor.error("expected a space after the metric name") }
            textStart = cursor.position
            text = keyword == "HELP" ? try cursor.helpText(openMetrics: format == .openMetrics) : cursor.remainder()
        }
        var entry = metadataIndex[name].map { result.metadata[$0].metadata } ?? MetricMetadata(type: .unknown)
        switch keyword {
        case "HELP":
            entry.help = text
        case "TYPE":
            guard let kind = Self.kind(text, format: format) else { throw cursor.error("invalid metric type \(text.debugDescription)", at: textStart) }
            entry.type = kind
        default:
            entry.unit = text
        }
        if let index = metadataIndex[name] {
            result.metadata[index].metadata = entry
        } else {
            metadataIndex[name] = result.metadata.count
            result.metadata.append((name, entry))
        }
        return false
    }

    static func kind(_ text: String, format: ExpositionFormat) -> MetricMetadata.Kind? {
        switch (text, format) {
        case ("counter", _), ("gauge", _), ("histogram", _), ("summary", _): MetricMetadata.Kind(rawValue: text)
        case ("untyped", .text), ("unknown", .openMetrics): .unknown
        case ("gaugehistogram", .openMetrics), ("stateset", .openMetrics), ("info", .openMetrics): MetricMetadata.Kind(rawValue: text)
        default: nil
        }
    }

    private mutating func sample(_ cursor: inout LineCursor) throws(ExpositionError) {
        let name = try cursor.metricName()
        var labels = [Label(metricNameLabel, name)]
        if format == .text { cursor.skipBlanks(before: "{") }
        if cursor.take("{") {
            try cursor.labelSet(into: &labels)
        }
        let (value, timestamp) = try valueAndTimestamp(&cursor)
        labels.sort()
        for i in 1..<labels.count where labels[i].name == labels[i - 1].name {
            throw cursor.error("duplicate label name \(labels[i].name.debugDescription)")
        }
        result.samples.append(ExpositionSample(labels: Labels(sortedUnique: labels), value: value, timestamp: timestamp))
    }

    /// What follows a sample's series: blanks, the value, an optional timestamp, and in OpenMetrics
    /// an optional exemplar (skipped).
    func valueAndTimestamp(_ cursor: inout LineCursor) throws(ExpositionError) -> (Double, Timestamp?) {
        guard cursor.takeBlanks() else {
            throw cursor.error(cursor.atEnd ? "expected a value after the metric" : "unexpected character \(cursor.currentDescription)")
        }
        let value = try cursor.value()
        var timestamp: Timestamp?
        if cursor.takeBlanks() && !cursor.atEnd && !cursor.peek("#") {
            timestamp = try format == .text ? cursor.millisecondTimestamp() : cursor.secondsTimestamp()
            cursor.skipBlanks()
        }
        if !cursor.atEnd {
            guard format == .openMetrics, cursor.take("#") else {
                throw cursor.error("unexpected character \(cursor.currentDescription) after the value")
            }
            try cursor.exemplar()
        }
        return (value, timestamp)
    }

    /// Where a sample line's series (the name and its label set, as written) ends, found without
    /// reading it: the end of the name, or the `}` that closes the label set outside quoted values.
    /// Nil when the line is not that shape; reading it in full then says what is wrong.
    static func seriesEnd(_ line: ArraySlice<UInt8>, from start: Int) -> Int? {
        var index = start
        let end = line.endIndex
        while index < end, line[index] != UInt8(ascii: " "), line[index] != UInt8(ascii: "\t"), line[index] != UInt8(ascii: "{") { index += 1 }
        guard index > start else { return nil }
        var open = index
        while open < end, line[open] == UInt8(ascii: " ") || line[open] == UInt8(ascii: "\t") { open += 1 }
        guard open < end, line[open] == UInt8(ascii: "{") else { return index }
        var quoted = false
        index = open + 1
        while index < end {
            let byte = line[index]
            if quoted {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { quoted = false }
            } else if byte == UInt8(ascii: "\"") {
                quoted = true
            } else if byte == UInt8(ascii: "}") {
                return index + 1
            }
            index += 1
        }
        return nil
    }
}

/// A sample's series as `ExpositionParser.parse(_:format:known:sample:)` reports it: one the caller
/// knew by its text, or a new one with its labels and the text it was written as (nil when that
/// cannot serve as a key).
public enum ExpositionSeries {
    case known(Int)
    case new(text: ArraySlice<UInt8>?, labels: Labels)
}

extension ExpositionParser {
    /// Parses as `parse(_:format:)` does, but for each sample line first asks `known` whether the
    /// caller has seen its series text (byte for byte) before: then only the value and timestamp are
    /// read. A scrape target writes the same series lines scrape after scrape, so a caller that
    /// keeps their labels by text reads each label set once.
    /// Returns the metadata (HELP, TYPE, UNIT) read on the way.
    @discardableResult
    public static func parse(_ bytes: [UInt8], format: ExpositionFormat, known: (ArraySlice<UInt8>) -> Int?,
                             sample: (ExpositionSeries, Double, Timestamp?) -> Void) throws(ExpositionError) -> [(name: String, metadata: MetricMetadata)] {
        var parser = ExpositionLineParser(format: format)
        var start = 0
        var number = 1
        var sawEOF = false
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            let line = bytes[start..<end]
            if sawEOF {
                throw ExpositionError(line: number, column: 1, message: "unexpected content after # EOF", snippet: String(decoding: line, as: UTF8.self))
            }
            var cursor = LineCursor(bytes: line, number: number)
            if format == .text { cursor.skipBlanks() }
            let seriesStart = cursor.position
            let isSample = !cursor.atEnd && line[seriesStart] != UInt8(ascii: "#")
            let seriesEnd = isSample ? ExpositionLineParser.seriesEnd(line, from: seriesStart) : nil
            if let seriesEnd, let id = known(line[seriesStart..<seriesEnd]) {
                cursor.move(to: seriesEnd)
                let (value, timestamp) = try parser.valueAndTimestamp(&cursor)
                sample(.known(id), value, timestamp)
            } else {
                sawEOF = try parser.parse(line: line, number: number)
                if let parsed = parser.result.samples.popLast() {
                    sample(.new(text: seriesEnd.map { line[seriesStart..<$0] }, labels: parsed.labels), parsed.value, parsed.timestamp)
                }
            }
            start = end + 1
            number += 1
        }
        if format == .openMetrics && !sawEOF {
            throw ExpositionError(line: number, column: 1, message: "data does not end with # EOF", snippet: "")
        }
        return parser.result.metadata
    }
}
