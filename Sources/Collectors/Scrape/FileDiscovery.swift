import Foundation
import YAMLFiles
import Yams

/// `file_sd_configs`: target groups read from JSON or YAML files (`[{targets: [...], labels: {...}}]`),
/// named directly or by a glob in the last path element, re-read when a file changes and at least
/// every `refresh_interval`. Each group's targets get `__meta_filepath`.
public struct FileSDConfig: Sendable, Equatable {
    public var files: [String]
    public var refreshInterval: Duration = .seconds(300)

    public init(files: [String], refreshInterval: Duration = .seconds(300)) {
        self.files = files
        self.refreshInterval = refreshInterval
    }
}

public enum FileDiscovery {
    /// The files a pattern names now: itself, or the directory's entries matching the glob.
    static func expand(_ pattern: String) -> [String] {
        let url = URL(fileURLWithPath: pattern)
        let name = url.lastPathComponent
        guard name.contains(where: { "*?[".contains($0) }) else { return [pattern] }
        let directory = url.deletingLastPathComponent().path
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.filter { fnmatch(name, $0, 0) == 0 }.sorted().map { directory + "/" + $0 }
    }

    /// The groups of every file, and one message per file that could not be read or parsed.
    public static func read(_ configs: [FileSDConfig]) -> (groups: [ScrapeConfig.StaticGroup], errors: [String]) {
        var groups: [ScrapeConfig.StaticGroup] = []
        var errors: [String] = []
        for path in configs.flatMap({ $0.files.flatMap(expand) }) {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                errors.append("\(path): \(error.localizedDescription)")
                continue
            }
            do { groups += try parse(text, path: path) } catch { errors.append(error.description) }
        }
        return (groups, errors)
    }

    static func parse(_ text: String, path: String) throws(FileError) -> [ScrapeConfig.StaticGroup] {
        let reader = YAMLReader(path: path)
        guard let root = try reader.compose(text).first else { return [] }
        guard let list = root.sequence else { throw reader.fail(root, "expected a list of target groups") }
        return try list.map { entry throws(FileError) in
            guard let map = entry.mapping, let targets = map["targets"]?.sequence?.compactMap(\.string) else {
                throw reader.fail(entry, "a target group needs a list of targets")
            }
            var labels: [String: String] = [:]
            for (key, value) in map["labels"]?.mapping ?? [:] {
                guard let name = key.string, let text = value.string else { continue }
                labels[name] = text
            }
            labels["__meta_filepath"] = path
            return ScrapeConfig.StaticGroup(targets: targets, labels: labels)
        }
    }

    /// A summary of the files' modification times and sizes, to notice changes cheaply.
    public static func signature(_ configs: [FileSDConfig]) -> [String] {
        configs.flatMap { $0.files.flatMap(expand) }.map { path in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
            return "\(path)|\(modified)|\((attributes?[.size] as? NSNumber)?.intValue ?? -1)"
        }
    }
}
