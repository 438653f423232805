import Alerting
import Collectors
import Foundation
import Kubernetes

/// One `alerting.alertmanagers` entry as the configuration file gives it.
public struct AlertmanagerConfig: Sendable, Equatable {
    public var scheme = "http"
    /// Without a trailing slash; empty or starting with one.
    public var pathPrefix = ""
    public var staticTargets: [String] = []
    public var fileSD: [FileSDConfig] = []
    /// The `Authorization` header value, already read from its file.
    public var authorization: String?
    public var tls: TLSSettings?
    public var timeout: Duration = .seconds(10)

    public init() {}

    /// What the notifier works with: file_sd targets looked up through `FileDiscovery`, as scrape
    /// jobs look theirs up, again every shortest `refresh_interval`.
    func notifierSet() throws -> AlertmanagerSet {
        var set = AlertmanagerSet(scheme: scheme, pathPrefix: pathPrefix, staticTargets: staticTargets)
        set.authorization = authorization
        set.timeout = timeout
        set.tls = try tls?.makeConfiguration()
        if !fileSD.isEmpty {
            let configs = fileSD
            set.discover = { FileDiscovery.read(configs).groups.flatMap(\.targets) }
            set.refreshInterval = configs.map(\.refreshInterval).min() ?? .seconds(300)
        }
        return set
    }
}
