import TimeSeriesCore

/// Picks the values of one label name that a matcher accepts, using the matcher's literal
/// alternatives or prefix so that common regexes never scan every value.
enum ValueMatching {
    /// `sorted` must be ascending in UTF-8 byte order (Swift's `String` order).
    static func values(_ matcher: LabelMatcher, sorted: [String], contains: (String) -> Bool) -> [String] {
        if let exact = matcher.exactValues {
            return exact.filter { !$0.isEmpty && contains($0) }.sorted()
        }
        let prefix = matcher.requiredPrefix
        var start = 0
        if !prefix.isEmpty {
            var high = sorted.count
            while start < high {
                let mid = (start + high) / 2
                if sorted[mid] < prefix { start = mid + 1 } else { high = mid }
            }
        }
        var out: [String] = []
        for value in sorted[start...] {
            if !prefix.isEmpty && !value.hasPrefix(prefix) { break }
            if matcher.matches(value) { out.append(value) }
        }
        return out
    }
}
