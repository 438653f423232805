import Collectors
import TimeSeriesCore
import YAMLFiles
import Yams

/// Reads `scrape_configs` in Prometheus' own shape. Fields Surge does not support yet are named in
/// the error rather than ignored, so a copied Prometheus configuration does not silently scrape less.
extension ConfigurationFile {
    static let supportedScrapeKeys: Set<String> = [
        "job_name", "scrape_interval", "scrape_timeout", "metrics_path", "scheme", "params", "honor_labels",
        "honor_timestamps", "sample_limit", "static_configs", "relabel_configs", "metric_relabel_configs",
        "basic_auth", "authorization", "bearer_token", "bearer_token_file", "file_sd_configs", "kubernetes_sd_configs",
        "tls_config",
    ]
    static let plannedScrapeKeys: Set<String> = [
        "consul_sd_configs", "dns_sd_configs", "ec2_sd_configs", "http_sd_configs", "proxy_url", "oauth2",
    ]

    /// `defaults` are the interval and timeout of jobs that give none (`global`'s).
    static func readScrapeConfigs(_ node: Node, path: String, checkCredentials: Bool = true,
                                  defaults: (interval: Duration, timeout: Duration) = (.seconds(15), .seconds(10))) throws -> [ScrapeConfig] {
        func fail(_ node: Node, _ message: String) -> Error {
            Error(path: path, line: node.mark.map { $0.line }, message: message)
        }
        guard let list = node.sequence else { throw fail(node, "scrape_configs must be a list") }
        var configs: [ScrapeConfig] = []
        for entry in list {
            if let keys = entry.mapping?.keys {
                for key in keys where plannedScrapeKeys.contains(key.string ?? "") {
                    throw fail(key, "\(key.string!) is not supported yet")
                }
            }
            let section = try mapping(entry, path: path, allowed: supportedScrapeKeys)
            guard let nameNode = section["job_name"], let name = nameNode.string, !name.isEmpty else {
                throw fail(entry, "job_name is required")
            }
            guard !configs.contains(where: { $0.jobName == name }) else { throw fail(nameNode, "found multiple scrape configs with job name \"\(name)\"") }
            var config = ScrapeConfig(jobName: name)
            config.scrapeInterval = defaults.interval
            config.scrapeTimeout = defaults.timeout
            if let n = section["scrape_interval"] {
                guard let value = duration(n), value > 0 else { throw fail(n, "scrape_interval must be a duration such as 15s") }
                config.scrapeInterval = .milliseconds(value)
            }
            if let n = section["scrape_timeout"] {
                guard let value = duration(n), value > 0 else { throw fail(n, "scrape_timeout must be a duration such as 10s") }
                config.scrapeTimeout = .milliseconds(value)
            } else {
                config.scrapeTimeout = min(config.scrapeTimeout, config.scrapeInterval)
            }
            if config.scrapeTimeout > config.scrapeInterval {
                throw fail(section["scrape_timeout"] ?? entry, "scrape_timeout greater than scrape_interval for scrape config with job name \"\(name)\"")
            }
            if let n = section["metrics_path"] {
                guard let value = n.string, value.hasPrefix("/") else { throw fail(n, "metrics_path must be a path starting with /") }
                config.metricsPath = value
            }
            if let n = section["scheme"] {
                guard let value = n.string, ["http", "https"].contains(value) else { throw fail(n, "scheme must be http or https") }
                config.scheme = value
            }
            if let n = section["params"] {
                guard let map = n.mapping else { throw fail(n, "params must map names to lists of values") }
                for (key, values) in map {
                    guard let name = key.string, let list = values.sequence?.compactMap(\.string) else {
                        throw fail(key, "params must map names to lists of values")
                    }
                    config.params[name] = list
                }
            }
            for (key, apply) in [("honor_labels", { (c: inout ScrapeConfig, v: Bool) in c.honorLabels = v }),
                                 ("honor_timestamps", { (c: inout ScrapeConfig, v: Bool) in c.honorTimestamps = v })] {
                if let n = section[key] {
                    guard let value = n.bool else { throw fail(n, "\(key) must be true or false") }
                    apply(&config, value)
                }
            }
            if let n = section["sample_limit"] {
                guard let value = n.int, value >= 0 else { throw fail(n, "sample_limit must be a number, 0 for none") }
                config.sampleLimit = value
            }
            if let n = section["static_configs"] {
                guard let groups = n.sequence else { throw fail(n, "static_configs must be a list") }
                for group in groups {
                    let fields = try mapping(group, path: path, allowed: ["targets", "labels"])
                    guard let targets = fields["targets"].map({ YAMLReader.isNull($0) ? [] : $0.sequence?.compactMap(\.string) }) ?? [],
                          targets.allSatisfy({ $0.contains(":") && !$0.contains("/") }) else {
                        throw fail(fields["targets"] ?? group, "targets must be a list of host:port addresses")
                    }
                    var labels: [String: String] = [:]
                    for (key, value) in fields["labels"]?.mapping ?? [:] {
                        guard let name = key.string, isValidLabelName(name), let text = value.string else {
                            throw fail(key, "labels must map valid label names to strings")
                        }
                        labels[name] = text
                    }
                    config.staticConfigs.append(.init(targets: targets, labels: labels))
                }
            }
            config.authorization = try readAuthorization(section, path: path)
            if let n = section["file_sd_configs"] { config.fileSDConfigs = try readFileSDConfigs(n, path: path) }
            if let n = section["kubernetes_sd_configs"] { config.kubernetesSDConfigs = try readKubernetesSDConfigs(n, path: path, checkCredentials: checkCredentials) }
            if let n = section["tls_config"] { config.tls = try readTLSSettings(n, path: path) }
            if let n = section["relabel_configs"] { config.relabelConfigs = try readRelabelRules(n, path: path) }
            if let n = section["metric_relabel_configs"] { config.metricRelabelConfigs = try readRelabelRules(n, path: path) }
            configs.append(config)
        }
        return configs
    }

    /// `file_sd_configs`: `files` (JSON or YAML, globs in the last element) and `refresh_interval`.
    static func readFileSDConfigs(_ node: Node, path: String) throws -> [FileSDConfig] {
        func fail(_ node: Node, _ message: String) -> Error {
            Error(path: path, line: node.mark.map { $0.line }, message: message)
        }
        guard let list = node.sequence else { throw fail(node, "file_sd_configs must be a list") }
        return try list.map { entry in
            let fields = try mapping(entry, path: path, allowed: ["files", "refresh_interval"])
            guard let files = fields["files"]?.sequence?.compactMap(\.string), !files.isEmpty else {
                throw fail(entry, "file_sd_configs need a list of files")
            }
            for file in files where !(file.hasSuffix(".json") || file.hasSuffix(".yml") || file.hasSuffix(".yaml")) {
                throw fail(fields["files"]!, "path \"\(file)\" is not valid for file discovery; it must end in .json, .yml or .yaml")
            }
            var sd = FileSDConfig(files: files)
            if let r = fields["refresh_interval"] {
                guard let value = duration(r), value > 0 else { throw fail(r, "refresh_interval must be a duration such as 5m") }
                sd.refreshInterval = .milliseconds(value)
            }
            return sd
        }
    }

    /// At most one of `basic_auth`, `authorization`, `bearer_token` and `bearer_token_file`, as
    /// Prometheus requires.
    static func readAuthorization(_ section: [String: Node], path: String) throws -> ScrapeAuthorization? {
        func fail(_ node: Node, _ message: String) -> Error {
            Error(path: path, line: node.mark.map { $0.line }, message: message)
        }
        let given = ["basic_auth", "authorization", "bearer_token", "bearer_token_file"].filter { section[$0] != nil }
        if given.count > 1 {
            let last = given.map { section[$0]! }.max { ($0.mark?.line ?? 0) < ($1.mark?.line ?? 0) }!
            throw fail(last, "at most one of \(given.joined(separator: ", ")) must be configured")
        }
        if let node = section["basic_auth"] {
            let fields = try mapping(node, path: path, allowed: ["username", "password", "password_file"])
            guard let username = fields["username"]?.string else { throw fail(node, "basic_auth requires a username") }
            if fields["password"] != nil && fields["password_file"] != nil {
                throw fail(node, "at most one of basic_auth password & password_file must be configured")
            }
            return .basic(username: username, password: fields["password"]?.string, passwordFile: fields["password_file"]?.string)
        }
        if let node = section["authorization"] {
            let fields = try mapping(node, path: path, allowed: ["type", "credentials", "credentials_file"])
            let type = fields["type"]?.string ?? "Bearer"
            if type.lowercased() == "basic" { throw fail(node, "authorization type cannot be set to \"basic\", use \"basic_auth\" instead") }
            return .credentials(type: type, value: fields["credentials"]?.string, file: fields["credentials_file"]?.string)
        }
        if let node = section["bearer_token"] {
            return .credentials(type: "Bearer", value: node.string ?? "", file: nil)
        }
        if let node = section["bearer_token_file"] {
            return .credentials(type: "Bearer", value: nil, file: node.string ?? "")
        }
        return nil
    }

    static func readRelabelRules(_ node: Node, path: String) throws -> [RelabelRule] {
        func fail(_ node: Node, _ message: String) -> Error {
            Error(path: path, line: node.mark.map { $0.line }, message: message)
        }
        guard let list = node.sequence else { throw fail(node, "relabel configurations must be a list") }
        return try list.map { entry in
            let fields = try mapping(entry, path: path, allowed: [
                "source_labels", "separator", "target_label", "regex", "modulus", "replacement", "action",
            ])
            let actionName = fields["action"]?.string?.lowercased() ?? "replace"
            guard let action = RelabelRule.Action(rawValue: actionName) else {
                throw fail(fields["action"] ?? entry, "unknown relabel action \"\(actionName)\"")
            }
            let sources = fields["source_labels"].map { $0.sequence?.compactMap(\.string) ?? [] } ?? []
            let modulus = fields["modulus"]?.int ?? 0
            if modulus < 0 { throw fail(fields["modulus"]!, "modulus must not be negative") }
            let rule: RelabelRule
            do {
                rule = try RelabelRule(action: action, sourceLabels: sources, separator: fields["separator"]?.string ?? ";",
                                       targetLabel: fields["target_label"]?.string ?? "", regex: fields["regex"]?.string ?? "(.*)",
                                       replacement: fields["replacement"]?.string ?? "$1",
                                       modulus: UInt64(modulus))
            } catch {
                throw fail(fields["regex"] ?? entry, "invalid regex: \(error)")
            }
            if let problem = rule.problem { throw fail(entry, problem) }
            return rule
        }
    }
}
