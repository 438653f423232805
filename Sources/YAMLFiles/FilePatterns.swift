#if canImport(Glibc)
import Glibc
#endif

/// Files named by paths and globs (`rules/*.yml`), in order: a glob's matches sorted, a plain path
/// as it is. A glob that matches nothing gives nothing, as Prometheus' `rule_files` do.
public func expandFilePatterns(_ patterns: [String]) -> [String] {
    patterns.flatMap { pattern -> [String] in
        guard pattern.contains(where: { "*?[".contains($0) }) else { return [pattern] }
        var matches = glob_t()
        defer { globfree(&matches) }
        guard glob(pattern, 0, nil, &matches) == 0 else { return [] }
        return (0..<Int(matches.gl_pathc)).compactMap { matches.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }
}
