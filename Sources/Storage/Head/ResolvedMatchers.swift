import TimeSeriesCore

/// Regular-expression matchers resolved against the head's label values outside the database
/// lock: under the lock only the sorted values (a shared array) and their generation are taken;
/// the matching, which may be long, runs without it; and the result is used only if no value of
/// that label came or went in between. So a costly regular expression never holds up appends.
struct ResolvedMatchers {
    /// By matcher position, the values of its label that it matches.
    var values: [Int: Set<String>] = [:]
    /// The generation of each resolved label's values when they were read.
    var generations: [String: Int] = [:]

    /// The values to match outside the lock, read under it.
    struct Pending {
        var candidates: [(position: Int, matcher: LabelMatcher, values: [String])] = []
        var generations: [String: Int] = [:]
    }

    /// Matchers worth resolving: regular expressions that are neither plain alternatives nor
    /// narrowed by a literal prefix, which the index answers from its sorted values under the lock.
    static func worthResolving(_ matcher: LabelMatcher) -> Bool {
        (matcher.type == .regexMatch || matcher.type == .regexNoMatch) && matcher.exactValues == nil && matcher.requiredPrefix.isEmpty
    }

    static func pending(_ matchers: [LabelMatcher], in index: inout HeadIndex) -> Pending {
        var pending = Pending()
        for (position, matcher) in matchers.enumerated() where worthResolving(matcher) {
            pending.candidates.append((position, matcher, index.values(of: matcher.name)))
            pending.generations[matcher.name] = index.valueGenerations[matcher.name, default: 0]
        }
        return pending
    }

    /// Matches every candidate value; runs without the lock.
    init(_ pending: Pending) {
        for candidate in pending.candidates {
            values[candidate.position] = Set(candidate.values.lazy.filter { candidate.matcher.matches($0) })
        }
        generations = pending.generations
    }

    init() {}

    /// The resolved values if they are still current in `index`, else none (match in place).
    func current(in index: HeadIndex) -> [Int: Set<String>] {
        for (name, generation) in generations where index.valueGenerations[name, default: 0] != generation { return [:] }
        return values
    }
}
