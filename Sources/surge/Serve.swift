import App
import ArgumentParser
import Hummingbird
import Foundation
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server: remote-write ingestion, storage and the Prometheus query API.",
        discussion: """
            Without flags Surge listens on 0.0.0.0:9470 and keeps its data in ./data. Point a Prometheus \
            at it with remote_write: [{url: http://HOST:9470/api/v1/write}] and query it like a Prometheus. \
            SIGTERM or SIGINT shut it down gracefully.
            """)

    @Option(name: .long, help: "YAML configuration file; flags override what it says.")
    var config: String?

    @Option(name: .customLong("data-dir"), help: "Directory for the write-ahead log. (default: ./data)")
    var dataDir: String?

    @Option(name: .long, help: "Address to listen on, HOST:PORT. (default: 0.0.0.0:9470)")
    var listen: String?

    @Flag(name: .customLong("no-collect"), help: "Storage and API only: no built-in collectors and no self-scrape.")
    var noCollect = false

    @Flag(name: .long, help: "Agent mode: collect, scrape and forward to remote_write receivers, keeping no queryable store.")
    var agent = false

    @Option(name: .customLong("web.config.file"), help: "Web configuration file: TLS, basic-auth users, bearer tokens, permissions.")
    var webConfigFile: String?

    @Flag(name: .customLong("web.enable-admin-api"), help: "Answer the admin routes (POST /api/v1/admin/tsdb/flush).")
    var enableAdminAPI = false

    @Flag(name: .customLong("web.enable-lifecycle"), help: "Answer POST /-/reload, which re-reads rule and policy files as SIGHUP does.")
    var enableLifecycle = false

    @Option(name: .customLong("web.max-connections"), help: "Connections served at once; more wait until one closes. (default: 512)")
    var maxConnections: Int?

    @Option(name: [.customLong("log-level"), .customLong("log.level")], help: "trace, debug, info, notice, warn (warning), error or critical.")
    var logLevel: String = "info"

    @Option(name: .customLong("log.format"), help: "line (the default), logfmt or json, as Prometheus' --log.format.")
    var logFormat: String = "line"

    var level: Logger.Level? { Logger.Level(rawValue: logLevel == "warn" ? "warning" : logLevel) }

    func validate() throws {
        if let listen, HostPort(listen) == nil { throw ValidationError("--listen must be HOST:PORT, got \(listen)") }
        if let maxConnections, maxConnections < 1 { throw ValidationError("--web.max-connections must be at least 1") }
        if level == nil { throw ValidationError("unknown --log.level \(logLevel)") }
        if LineLogHandler.Format(rawValue: logFormat) == nil { throw ValidationError("--log.format must be line, logfmt or json, got \(logFormat)") }
    }

    func run() async throws {
        var configuration = SurgeConfiguration()
        if let config {
            do {
                configuration = try ConfigurationFile.load(path: config)
            } catch {
                // The file:line message alone: the flags were right, the file is not.
                throw CLIError("\(error)")
            }
        }
        if let dataDir { configuration.dataDirectory = dataDir }
        if let listen { configuration.listen = HostPort(listen)! }
        if noCollect { configuration.collect = false }
        if agent { configuration.agent = true }
        if let webConfigFile { configuration.webConfigFile = webConfigFile }
        if enableAdminAPI { configuration.enableAdminAPI = true }
        if enableLifecycle { configuration.enableLifecycle = true }
        if let maxConnections { configuration.maxConnections = maxConnections }
        // SIGHUP re-reads rule and policy files (HangupService), and never ends the server.
        signal(SIGHUP, SIG_IGN)
        let format = LineLogHandler.Format(rawValue: logFormat)!
        var logger = Logger(label: "surge") { label in
            var handler = LineLogHandler(label: label)
            handler.format = format
            return handler
        }
        logger.logLevel = level!
        let app = try SurgeServer.buildApplication(configuration: configuration, logger: logger)
        try await app.runService()
    }
}
