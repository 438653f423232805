import TimeSeriesCore

/// A position in one exposition line and the token readers the formats share.
struct LineCursor {
    let bytes: ArraySlice<UInt8>
    let number: Int
    private(set) var index: Int

    init(bytes: ArraySlice<UInt8>, number: Int) {
        self.bytes = bytes
        self.number = number
        self.index = bytes.startIndex
    }

    var atEnd: Bool { index >= bytes.endIndex }
    var rest: ArraySlice<UInt8> { bytes[index...] }
    var position: Int { index }
    private var current: UInt8? { atEnd ? nil : bytes[index] }

    var currentDescription: String {
        guard let current else { return "end of line" }
        return String(decoding: [current], as: UTF8.self).debugDescription
    }

    /// An error at the cursor, or at `position` (an index into the line's bytes) when given.
    func error(_ message: String, at position: Int? = nil) -> ExpositionError {
        ExpositionError(line: number, column: (position ?? index) - bytes.startIndex + 1, message: message,
                        snippet: String(decoding: bytes, as: UTF8.self))
    }

    mutating func advance() { index += 1 }

    mutating func move(to position: Int) { index = position }

    func peek(_ character: Unicode.Scalar) -> Bool { current == UInt8(ascii: character) }

    mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard peek(character) else { return false }
        index += 1
        return true
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    mutating func skipBlanks() {
        while let byte = current, Self.isBlank(byte) { index += 1 }
    }

    /// Skips blanks only when `character` comes after them.
    mutating func skipBlanks(before character: Unicode.Scalar) {
        let start = index
        skipBlanks()
        if !peek(character) { index = start }
    }

    /// Skips blanks; true when there was at least one.
    mutating func takeBlanks() -> Bool {
        let start = index
        skipBlanks()
        return index > start
    }

    /// Bytes up to the next blank.
    mutating func word() -> String {
        let start = index
        while let byte = current, !Self.isBlank(byte) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func remainder() -> String {
        defer { index = bytes.endIndex }
        return String(decoding: bytes[index...], as: UTF8.self)
    }

    private static func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_")
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    mutating func metricName() throws(ExpositionError) -> String {
        let start = index
        while let byte = current, Self.isNameStart(byte) || byte == UInt8(ascii: ":") || (index > start && Self.isDigit(byte)) {
            index += 1
        }
        guard index > start else { throw error("expected a metric name, found \(currentDescription)") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`
    private mutating func labelName() throws(ExpositionError) -> String {
        let start = index
        while let byte = current, Self.isNameStart(byte) || (index > start && Self.isDigit(byte)) { index += 1 }
        guard index > start else { throw error("expected a label name, found \(currentDescription)") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// After `{`: `name="value"` pairs separated by commas (a trailing comma allowed), then `}`.
    mutating func labelSet(into labels: inout [Label]) throws(ExpositionError) {
        skipBlanks()
        while !take("}") {
            let name = try labelName()
            skipBlanks()
            guard take("=") else { throw error("expected = after label name \(name.debugDescription)") }
            skipBlanks()
            guard take("\"") else { throw error("expected a quoted label value for \(name.debugDescription)") }
            let value = try quotedRest()
            guard name != metricNameLabel else { throw error("the metric name is not a label here") }
            labels.append(Label(name, value))
            skipBlanks()
            if take(",") {
                skipBlanks()
            } else if !peek("}") {
                throw error("expected , or } after a label value, found \(currentDescription)")
            }
        }
    }

    /// A label value after its opening quote, through the closing quote: `\\`, `\"` and `\n` are the
    /// escapes; any other backslash is kept as written.
    private mutating func quotedRest() throws(ExpositionError) -> String {
        var out: [UInt8] = []
        while let byte = current {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let next = current else { throw error("unterminated escape in a label value") }
                index += 1
                switch next {
                case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "\\"), UInt8(ascii: "\""): out.append(next)
                default: out += [byte, next]
                }
            default:
                out.append(byte)
            }
        }
        throw error("unterminated label value")
    }

    /// The rest of a HELP line: `\\` and `\n` unescaped, and `\"` in OpenMetrics.
    mutating func helpText(openMetrics: Bool) throws(ExpositionError) -> String {
        var out: [UInt8] = []
        while let byte = current {
            index += 1
            guard byte == UInt8(ascii: "\\"), let next = current else {
                out.append(byte)
                continue
            }
            switch next {
            case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n")); index += 1
            case UInt8(ascii: "\\"): out.append(next); index += 1
            case UInt8(ascii: "\"") where openMetrics: out.append(next); index += 1
            default:
                if openMetrics { throw error("invalid escape \\\(String(decoding: [next], as: UTF8.self)) in HELP", at: index - 1) }
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A float as Go's strconv parses it, without the hexadecimal and underscore forms Prometheus refuses.
    mutating func value() throws(ExpositionError) -> Double {
        let start = index
        // The usual value, a whole number of up to 15 digits, is read from the bytes: exact, and
        // no string is made for it.
        var digits = index
        let negative = digits < bytes.endIndex && bytes[digits] == UInt8(ascii: "-")
        if negative { digits += 1 }
        var whole: Int64 = 0
        var end = digits
        while end < bytes.endIndex, end - digits < 16, Self.isDigit(bytes[end]) {
            whole = whole * 10 + Int64(bytes[end] - UInt8(ascii: "0"))
            end += 1
        }
        if end > digits, end - digits <= 15, end == bytes.endIndex || bytes[end] == UInt8(ascii: " ") || bytes[end] == UInt8(ascii: "\t") {
            index = end
            return negative ? -Double(whole) : Double(whole)
        }
        let text = word()
        if text.contains(where: { "pPxX_".contains($0) }) || text.isEmpty {
            index = start
            throw error("invalid value \(text.debugDescription)")
        }
        guard let value = Self.goFloat(text) else {
            index = start
            throw error("invalid value \(text.debugDescription)")
        }
        return value
    }

    /// Go accepts "NaN", "Inf", "+Inf", "-Inf", "infinity" in any case; Swift's parser takes the rest.
    static func goFloat(_ text: String) -> Double? {
        // The usual value is plain digits; only the rare words need lowercasing.
        if text.utf8.allSatisfy({ isDigit($0) || "+-.eE".utf8.contains($0) }) { return Double(text) }
        switch text.lowercased() {
        case "nan", "+nan", "-nan": return .nan
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return nil
        }
    }

    mutating func millisecondTimestamp() throws(ExpositionError) -> Timestamp {
        let start = index
        let text = word()
        guard let value = Int64(text) else {
            index = start
            throw error("invalid timestamp \(text.debugDescription)")
        }
        return value
    }

    mutating func secondsTimestamp() throws(ExpositionError) -> Timestamp {
        let start = index
        let text = word()
        guard let seconds = Self.goFloat(text), seconds.isFinite, abs(seconds) < 9.2e15 else {
            index = start
            throw error("invalid timestamp \(text.debugDescription)")
        }
        return Timestamp((seconds * 1000).rounded())
    }

    /// An OpenMetrics exemplar after its `#`: ` {labels} value [timestamp]`, read and dropped.
    mutating func exemplar() throws(ExpositionError) {
        guard takeBlanks(), take("{") else { throw error("expected an exemplar's label set after #") }
        var ignored: [Label] = []
        try labelSet(into: &ignored)
        guard takeBlanks() else { throw error("expected an exemplar value") }
        _ = try value()
        if takeBlanks() && !atEnd { _ = try secondsTimestamp() }
        guard atEnd else { throw error("unexpected character \(currentDescription) after an exemplar") }
    }
}
