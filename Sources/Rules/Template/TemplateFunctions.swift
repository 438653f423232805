import Foundation
import TimeSeriesCore

/// Prometheus' template functions (template/template.go) and the Go builtins rule templates use.
enum TemplateFunctions {
    /// Every function a Prometheus rule template may call: Go's builtins and Prometheus' own
    /// (template/template.go), whether or not Surge evaluates it yet.
    static let defined: Set<String> = [
        "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf", "println", "urlquery",
        "eq", "ge", "gt", "le", "lt", "ne",
        "query", "first", "label", "value", "strvalue", "args", "reReplaceAll", "safeHtml", "match", "title", "toUpper", "toLower",
        "graphLink", "tableLink", "sortByLabel", "humanize", "humanize1024", "humanizeDuration", "humanizePercentage",
        "humanizeTimestamp", "toTime", "pathPrefix", "externalURL", "parseDuration", "stripPort", "stripDomain", "toDuration", "now",
    ]

    static func call(_ name: String, _ args: [TemplateValue]) throws(TemplateError) -> TemplateValue {
        func one() throws(TemplateError) -> TemplateValue {
            guard args.count == 1 else { throw TemplateError("wrong number of args for \(name): want 1 got \(args.count)") }
            return args[0]
        }
        func text(_ value: TemplateValue) -> String { value.printed }
        switch name {
        case "humanize": return .string(humanize(try one().number(name)))
        case "humanize1024": return .string(humanize1024(try one().number(name)))
        case "humanizeDuration": return .string(humanizeDuration(try one().number(name)))
        case "humanizePercentage": return .string(goFormat(try one().number(name) * 100, verb: "g", precision: 4) + "%")
        case "humanizeTimestamp": return .string(humanizeTimestamp(try one().number(name)))
        case "toUpper": return .string(text(try one()).uppercased())
        case "toLower": return .string(text(try one()).lowercased())
        case "title": return .string(text(try one()).split(separator: " ", omittingEmptySubsequences: false).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " "))
        case "stripPort":
            let host = text(try one())
            if host.hasPrefix("["), let end = host.firstIndex(of: "]") { return .string(String(host[host.index(after: host.startIndex)..<end])) }
            if let colon = host.lastIndex(of: ":"), host.firstIndex(of: ":") == colon { return .string(String(host[..<colon])) }
            return .string(host)
        case "match":
            guard args.count == 2 else { throw TemplateError("wrong number of args for match: want 2 got \(args.count)") }
            guard let regex = try? SearchRegex(text(args[0])) else { throw TemplateError("error calling match: invalid regular expression") }
            return .bool(regex.containsMatch(text(args[1])))
        case "reReplaceAll":
            guard args.count == 3 else { throw TemplateError("wrong number of args for reReplaceAll: want 3 got \(args.count)") }
            guard let regex = try? SearchRegex(text(args[0])) else { throw TemplateError("error calling reReplaceAll: invalid regular expression") }
            return .string(regex.replaceAll(in: text(args[2]), with: text(args[1])))
        case "printf":
            guard let format = args.first else { throw TemplateError("wrong number of args for printf: want at least 1 got 0") }
            return .string(printf(text(format), Array(args.dropFirst())))
        case "print": return .string(args.map(text).joined())
        case "len":
            switch try one() {
            case .string(let s): return .number(Double(s.utf8.count))
            case .map(let m): return .number(Double(m.count))
            case .list(let l): return .number(Double(l.count))
            default: throw TemplateError("error calling len: len of type not supported")
            }
        case "not": return .bool(!(try one()).isTrue)
        case "and": return args.first { !$0.isTrue } ?? args.last ?? .none
        case "or": return args.first { $0.isTrue } ?? args.last ?? .none
        case "eq", "ne", "lt", "le", "gt", "ge":
            guard args.count >= 2 else { throw TemplateError("wrong number of args for \(name): want 2 got \(args.count)") }
            return .bool(try compare(name, args[0], args[1]))
        case "first":
            guard case .list(let samples) = try one() else { throw TemplateError("error calling first: first() called on a value that is not a query result") }
            guard let first = samples.first else { throw TemplateError("error calling first: first() called on vector with no elements") }
            return first
        case "label":
            guard args.count == 2 else { throw TemplateError("wrong number of args for label: want 2 got \(args.count)") }
            guard case .sample(let labels, _) = args[1] else { return .string("") }
            return .string(labels[text(args[0])] ?? "")
        case "value":
            guard case .sample(_, let value) = try one() else { throw TemplateError("error calling value: value() called on a value that is not a sample") }
            return .number(value)
        case "strvalue":
            guard case .sample(let labels, _) = try one() else { return .string("") }
            return .string(labels["__value__"] ?? "")
        case "sortByLabel":
            guard args.count == 2 else { throw TemplateError("wrong number of args for sortByLabel: want 2 got \(args.count)") }
            guard case .list(let samples) = args[1] else { throw TemplateError("error calling sortByLabel: not a query result") }
            let label = text(args[0])
            func key(_ value: TemplateValue) -> String { if case .sample(let labels, _) = value { labels[label] ?? "" } else { "" } }
            return .list(samples.enumerated().sorted { (key($0.element), $0.offset) < (key($1.element), $1.offset) }.map(\.element))
        case "safeHtml":
            return .string(text(try one()))
        case "args":
            return .map(Dictionary(uniqueKeysWithValues: args.enumerated().map { ("arg\($0.offset)", $0.element.printed) }))
        case "parseDuration":
            let written = text(try one())
            guard let milliseconds = parseDuration(written) else {
                throw TemplateError("error calling parseDuration: not a valid duration string: \(goQuoted(written))")
            }
            return .number(Double(milliseconds) / 1000)
        case "tmpl", "toTime":
            throw TemplateError("error calling \(name): \(name) is not available in Surge's templates yet")
        default:
            throw TemplateError("function \(goQuoted(name)) not defined")
        }
    }

    static func compare(_ op: String, _ a: TemplateValue, _ b: TemplateValue) throws(TemplateError) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)):
            return op == "eq" ? x == y : op == "ne" ? x != y : op == "lt" ? x < y : op == "le" ? x <= y : op == "gt" ? x > y : x >= y
        case (.string(let x), .string(let y)):
            return op == "eq" ? x == y : op == "ne" ? x != y : op == "lt" ? x < y : op == "le" ? x <= y : op == "gt" ? x > y : x >= y
        case (.bool(let x), .bool(let y)) where op == "eq" || op == "ne":
            return (x == y) == (op == "eq")
        default:
            throw TemplateError("error calling \(op): incompatible types for comparison")
        }
    }

    static func humanize(_ value: Double) -> String {
        if value == 0 || !value.isFinite { return goFormat(value, verb: "g", precision: 4) }
        var v = value
        var prefix = ""
        if abs(v) >= 1 {
            for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] where abs(v) >= 1000 {
                prefix = p
                v /= 1000
            }
        } else {
            for p in ["m", "u", "n", "p", "f", "a", "z", "y"] where abs(v) < 1 {
                prefix = p
                v *= 1000
            }
        }
        return goFormat(v, verb: "g", precision: 4) + prefix
    }

    static func humanize1024(_ value: Double) -> String {
        if abs(value) <= 1 || !value.isFinite { return goFormat(value, verb: "g", precision: 4) }
        var v = value
        var prefix = ""
        for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] where abs(v) >= 1024 {
            prefix = p
            v /= 1024
        }
        return goFormat(v, verb: "g", precision: 4) + prefix
    }

    static func humanizeDuration(_ value: Double) -> String {
        if !value.isFinite { return goFormat(value, verb: "g", precision: 4) }
        if value == 0 { return goFormat(value, verb: "g", precision: 4) + "s" }
        if abs(value) >= 1 {
            let sign = value < 0 ? "-" : ""
            let v = abs(value)
            let duration = Int64(v)
            let (seconds, minutes, hours, days) = (duration % 60, (duration / 60) % 60, (duration / 3600) % 24, duration / 86400)
            if days != 0 { return "\(sign)\(days)d \(hours)h \(minutes)m \(seconds)s" }
            if hours != 0 { return "\(sign)\(hours)h \(minutes)m \(seconds)s" }
            if minutes != 0 { return "\(sign)\(minutes)m \(seconds)s" }
            return sign + goFormat(v, verb: "g", precision: 4) + "s"
        }
        var v = value
        var prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] where abs(v) < 1 {
            prefix = p
            v *= 1000
        }
        return goFormat(v, verb: "g", precision: 4) + prefix + "s"
    }

    /// Go's `time.Time.String()` in UTC, to the millisecond: `2006-01-02 15:04:05.999 +0000 UTC`.
    static func humanizeTimestamp(_ seconds: Double) -> String {
        guard seconds.isFinite, abs(seconds) < 1e11 else { return goFormat(seconds, verb: "g", precision: 4) }
        // Prometheus goes through model.Time, which keeps milliseconds.
        let milliseconds = Int64(seconds * 1e9) / 1_000_000
        let whole = Double(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        let date = Date(timeIntervalSince1970: whole)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        var text = String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
        let millis = Int(milliseconds - Int64(whole) * 1000)
        if millis > 0 {
            var fraction = String(format: "%03d", millis)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + " +0000 UTC"
    }

    /// Go's fmt verbs rule templates use: %s %v %d %f %e %g %q %x %%, with flags, width and precision.
    static func printf(_ format: String, _ args: [TemplateValue]) -> String {
        var out = ""
        var remaining = args[...]
        var chars = format[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            guard c == "%" else { out.append(c); continue }
            var spec = ""
            while let f = chars.first, "+-# 0123456789.".contains(f) { spec.append(f); chars = chars.dropFirst() }
            guard let verb = chars.first else { out += "%!(NOVERB)"; break }
            chars = chars.dropFirst()
            if verb == "%" { out += "%"; continue }
            guard let arg = remaining.popFirst() else { out += "%!\(verb)(MISSING)"; continue }
            let precision = spec.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).dropFirst().first.map { Int($0) ?? 0 }
            let flags = String(spec.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            switch (verb, arg) {
            case ("s", _), ("v", _):
                out += arg.printed
            case ("q", _):
                out += goQuoted(arg.printed)
            case ("d", .number(let n)) where n.isFinite && abs(n) < 9e18:
                out += String(format: "%" + flags + "lld", Int64(n))
            case ("f", .number(let n)), ("e", .number(let n)), ("g", .number(let n)), ("F", .number(let n)), ("E", .number(let n)):
                out += goFormat(n, verb: verb == "F" ? "f" : verb, precision: precision ?? (verb == "g" ? nil : 6), flags: flags)
            case ("x", .number(let n)) where n.isFinite && abs(n) < 9e18:
                out += String(Int64(n), radix: 16)
            default:
                out += "%!\(verb)(\(arg.printed))"
            }
        }
        if !remaining.isEmpty { out += "%!(EXTRA " + remaining.map(\.printed).joined(separator: ", ") + ")" }
        return out
    }
}
