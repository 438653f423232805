import AsyncHTTPClient
import Collectors
import Forwarding
import Foundation
import Kubernetes
import Logging
import NIOCore
import Storage
import ServiceLifecycle
import TimeSeriesCore

extension SurgeServer {
    /// Agent mode collects, scrapes and forwards: what needs a queryable store or acts on its own
    /// is refused at start-up, as Prometheus' agent refuses rule files, and forwarding is required.
    static func checkAgentMode(_ configuration: SurgeConfiguration) throws {
        guard configuration.agent else { return }
        var refused: [String] = []
        if !configuration.ruleFiles.isEmpty { refused.append("rule_files") }
        if !configuration.scalingPolicyFiles.isEmpty { refused.append("scaling.policy_files") }
        if !configuration.nodeGroups.isEmpty { refused.append("nodes") }
        if !configuration.webhooks.isEmpty || !configuration.alertmanagers.isEmpty { refused.append("alerting") }
        if configuration.querySource != nil { refused.append("query_source") }
        if !refused.isEmpty {
            throw StartupError(description: "agent mode keeps no queryable store and evaluates nothing: \(refused.joined(separator: ", ")) "
                + "\(refused.count == 1 ? "is" : "are") not allowed in agent mode; give them to the central server")
        }
        if configuration.remoteWriteTargets.isEmpty {
            throw StartupError(description: "agent mode forwards what it collects: give at least one remote_write receiver")
        }
    }

    /// One forwarder per `remote_write` receiver, reading the write-ahead log from where the last
    /// acknowledged batch ended (kept in DATA/remote_write/NAME.position).
    static func forwarders(_ configuration: SurgeConfiguration, dataURL: URL, database: Database, stats: ForwardingStats, clock: any LoopClock,
                           logger: Logger) throws -> [any Service] {
        let directory = dataURL.appendingPathComponent("remote_write")
        if !configuration.remoteWriteTargets.isEmpty { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        var services: [any Service] = []
        for (index, target) in configuration.remoteWriteTargets.enumerated() {
            let file = (target.name ?? "\(index)").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "\(index)"
            let rules = target.relabel
            var relabel: (@Sendable (Labels) -> Labels?)?
            if !rules.isEmpty {
                relabel = { (labels: Labels) -> Labels? in
                    guard let kept: [String: String] = Relabeling.apply(rules, to: labels.dictionary) else { return nil }
                    return Labels(kept)
                }
            }
            services.append(RemoteWriteForwarder(receiver: target.receiver, walDirectory: dataURL.appendingPathComponent("wal"),
                                                 positionFile: directory.appendingPathComponent(file + ".position"),
                                                 clientConfiguration: try clientConfiguration(target), stats: stats,
                                                 relabel: relabel, logProgress: { database.logProgress }, clock: clock, logger: logger))
        }
        return services
    }

    /// A client of the receiver's own when it names TLS settings or a proxy; nil shares the server's.
    static func clientConfiguration(_ target: RemoteWriteTarget) throws -> HTTPClient.Configuration? {
        guard target.tls != nil || target.proxy != nil else { return nil }
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(10)))
        if let tls = target.tls {
            do { configuration.tlsConfiguration = try tls.makeConfiguration() } catch {
                throw StartupError(description: "remote_write \(target.receiver.name): \(error.message)")
            }
        }
        if let proxy = target.proxy { configuration.proxy = .server(host: proxy.host, port: proxy.port) }
        return configuration
    }
}

/// Keeps an HTTP client of the server's own for as long as the server runs, and shuts it down after.
struct HTTPClientOwner: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
