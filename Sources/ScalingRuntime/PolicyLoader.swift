import Foundation
import PromQL
import Scaling
import YAMLFiles

/// Reads policy files from disk, checking each `PromQL` metric's query with the PromQL parser.
public enum PolicyLoader {
    /// A file, or every `.yaml`/`.yml` file of a directory in name order.
    public static func load(path: String) throws -> [ScalingPolicy] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PolicyFileError(path: path, line: nil, message: "no such file or directory")
        }
        let files: [String]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { (path as NSString).appendingPathComponent($0) }
        } else {
            files = [path]
        }
        var policies: [ScalingPolicy] = []
        for file in files {
            policies += try PolicyFile.parse(try YAMLReader.text(of: file, what: "the file"), path: file, validateQuery: checkQuery)
        }
        return policies
    }

    /// Every policy of the given files, directories and globs (`rules/scaling/*.yaml`), in order. A
    /// glob that matches nothing is not an error, as with Prometheus' `rule_files`; two policies for one
    /// workload are.
    public static func load(patterns: [String]) throws -> [ScalingPolicy] {
        var policies: [ScalingPolicy] = []
        for file in expandFilePatterns(patterns) { policies += try load(path: file) }
        var seen: [ScalingPolicy.TargetReference: ScalingPolicy] = [:]
        for policy in policies {
            if let earlier = seen[policy.target] {
                throw PolicyFileError(path: policy.source, line: nil, message: "policy \(policy.name) scales \(policy.target.kind) "
                                      + "\(policy.target.namespace)/\(policy.target.name), which policy \(earlier.name) (\(earlier.source)) already scales")
            }
            seen[policy.target] = policy
        }
        return policies
    }

    /// Nil when the query parses to an instant vector or scalar, else the problem.
    public static func checkQuery(_ query: String) -> String? {
        do {
            let expression = try Parser.parse(query)
            switch expression.type {
            case .vector, .scalar: return nil
            default: return "the query must give an instant vector or a scalar, not a \(expression.typeName)"
            }
        } catch {
            return "\(error)"
        }
    }
}
