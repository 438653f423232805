import CRE2

/// A regular expression searched for anywhere in a text, with Go's `regexp` semantics (RE2's):
/// what rule templates' `match` and `reReplaceAll` use, where Prometheus calls Go's
/// `MatchString` and `ReplaceAllString`.
///
/// `@unchecked Sendable`: the compiled RE2 is immutable and RE2 is safe to use from many threads.
public final class SearchRegex: @unchecked Sendable {
    private let compiled: OpaquePointer
    private let groupNames: [String?]

    public init(_ pattern: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        guard let compiled = pattern.withCString({ surge_re2_new($0, pattern.utf8.count, &error) }) else {
            let reason = error.map { String(cString: $0) } ?? "does not compile"
            surge_re2_free_error(error)
            throw InvalidRegexError(pattern: pattern, reason: reason)
        }
        self.compiled = compiled
        groupNames = (0...Int(surge_re2_group_count(compiled))).map { index in
            surge_re2_group_name(compiled, Int32(index)).map { String(cString: $0) }
        }
    }

    deinit {
        surge_re2_delete(compiled)
    }

    public func containsMatch(_ text: String) -> Bool {
        var bytes = Array(text.utf8)
        return search(&bytes, from: 0) != nil
    }

    /// Every non-overlapping match replaced by `template`, whose `$1`, `${name}` name groups; an
    /// empty match right after a match is skipped, as Go does.
    public func replaceAll(in text: String, with template: String) -> String {
        var bytes = Array(text.utf8)
        var out: [UInt8] = []
        var position = 0
        var lastMatchEnd = -1
        while position <= bytes.count, let offsets = search(&bytes, from: position) {
            let (start, end) = (offsets[0], offsets[1])
            if end == start && start == lastMatchEnd {
                // Step over one character and look again.
                guard start < bytes.count else { break }
                let width = Self.scalarWidth(bytes[start])
                out += bytes[start..<min(start + width, bytes.count)]
                position = start + width
                continue
            }
            out += bytes[position..<start]
            let groups = groupNames.indices.map { index -> (name: String?, value: String) in
                let (from, to) = (offsets[2 * index], offsets[2 * index + 1])
                return (groupNames[index], from < 0 ? "" : String(decoding: bytes[from..<to], as: UTF8.self))
            }
            out += Array(AnchoredRegex.expand(template, groups).utf8)
            lastMatchEnd = end
            if end == start {
                guard start < bytes.count else { position = bytes.count + 1; break }
                let width = Self.scalarWidth(bytes[start])
                out += bytes[start..<min(start + width, bytes.count)]
                position = start + width
            } else {
                position = end
            }
        }
        if position < bytes.count { out += bytes[position...] }
        return String(decoding: out, as: UTF8.self)
    }

    private func search(_ bytes: inout [UInt8], from start: Int) -> [Int]? {
        var offsets = [Int](repeating: -1, count: 2 * groupNames.count)
        let found = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { text in
                surge_re2_search(compiled, text.baseAddress, text.count, start, &offsets, Int32(groupNames.count))
            }
        }
        return found == 1 ? offsets : nil
    }

    private static func scalarWidth(_ lead: UInt8) -> Int {
        lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    }
}
