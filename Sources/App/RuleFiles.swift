import PromQL
import Rules
import YAMLFiles

/// The rule groups of the configuration's `rule_files`: every file and glob, in order, each file
/// checked as promtool checks it (expressions parsed by the PromQL parser).
public enum RuleFiles {
    public static func load(patterns: [String]) throws -> [RuleGroup] {
        try expandFilePatterns(patterns).flatMap { file in try RuleFile.load(path: file, validateQuery: Parser.problem(in:)) }
    }
}

extension RuleTestRunner {
    /// The runner behind `surge rules test`: rule files as `surge rules check` reads them, the
    /// embedded PromQL engine, series parsed as PromQL selectors.
    public static let embedded = RuleTestRunner(
        loadRules: { try RuleFiles.load(patterns: $0) },
        parseSeries: { try Parser.metric($0) },
        engine: { EmbeddedQueryEngine(querier: $0) },
        templateQuery: { EmbeddedQueryEngine(querier: $0).synchronousQuery })
}
