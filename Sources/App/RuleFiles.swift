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
