import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import ServiceLifecycle
import TimeSeriesCore

/// One `alerting.alertmanagers` entry: where its Alertmanagers are (static targets and targets a
/// discovery finds, looked up again every `refreshInterval`), how to reach them (scheme, path
/// prefix, TLS) and the `Authorization` header to send.
public struct AlertmanagerSet: Sendable {
    public var scheme = "http"
    /// Without a trailing slash; empty or starting with one.
    public var pathPrefix = ""
    public var staticTargets: [String] = []
    /// host:port targets found now (file_sd); nil when the set has no discovery.
    public var discover: (@Sendable () -> [String])?
    public var refreshInterval: Duration = .seconds(300)
    public var authorization: String?
    /// For `https`; nil uses the system's trust roots.
    public var tls: TLSConfiguration?
    public var timeout: Duration = .seconds(10)

    public init(scheme: String = "http", pathPrefix: String = "", staticTargets: [String] = []) {
        self.scheme = scheme
        self.pathPrefix = pathPrefix
        self.staticTargets = staticTargets
    }

    public func url(_ target: String) -> String { "\(scheme)://\(target)\(pathPrefix)/api/v2/alerts" }
}

/// Sends alerts to Alertmanagers as Prometheus does: every alert the rules hand over (firing ones
/// again each resend delay, resolved ones for 15 minutes) is posted to each Alertmanager's
/// `/api/v2/alerts` in batches of 64; grouping, silences and receivers are Alertmanager's. A post
/// that fails is logged and not retried: the next resend carries the alert again.
public struct AlertmanagerNotifier: Service {
    /// The inbox name this notifier takes alerts under.
    public static let inboxName = "alertmanagers"
    let sets: [AlertmanagerSet]
    let inbox: AlertInbox
    let client: HTTPClient
    let clock: any LoopClock
    let logger: Logger

    public init(sets: [AlertmanagerSet], inbox: AlertInbox, client: HTTPClient = .shared, clock: any LoopClock = SystemClock(), logger: Logger) {
        self.sets = sets
        self.inbox = inbox
        self.client = client
        self.clock = clock
        self.logger = logger
    }

    /// Static Alertmanagers at these `/api/v2/alerts` URLs' hosts, over plain HTTP.
    public init(urls: [String], inbox: AlertInbox, client: HTTPClient = .shared, clock: any LoopClock = SystemClock(), logger: Logger) {
        self.init(sets: urls.map { url in
            var set = AlertmanagerSet()
            let rest = url.drop { $0 != ":" }.dropFirst(3)
            set.scheme = String(url.prefix { $0 != ":" })
            set.staticTargets = [String(rest.prefix { $0 != "/" })]
            set.pathPrefix = String(rest.drop { $0 != "/" }.dropLast("/api/v2/alerts".count))
            return set
        }, inbox: inbox, client: client, clock: clock, logger: logger)
    }

    public func run() async throws {
        // A set with TLS settings of its own gets a client of its own.
        var clients: [HTTPClient] = []
        var own: [HTTPClient] = []
        for set in sets {
            if let tls = set.tls {
                let made = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(tlsConfiguration: tls))
                own.append(made)
                clients.append(made)
            } else {
                clients.append(client)
            }
        }
        let clientsInUse = clients
        await cancelWhenGracefulShutdown {
            var discovered: [[String]] = sets.map { _ in [] }
            var lookedUp: [Timestamp?] = sets.map { _ in nil }
            while !Task.isCancelled {
                let alerts = inbox.take(Self.inboxName)
                if !alerts.isEmpty {
                    for (index, set) in sets.enumerated() {
                        if let discover = set.discover, lookedUp[index].map({ clock.now - $0 >= set.refreshInterval.inMilliseconds }) ?? true {
                            discovered[index] = discover()
                            lookedUp[index] = clock.now
                        }
                        let targets = Array(Set(set.staticTargets + discovered[index])).sorted()
                        for start in stride(from: 0, to: alerts.count, by: 64) {
                            let body = Self.postBody(Array(alerts[start..<min(start + 64, alerts.count)]))
                            for target in targets { await post(body, to: set.url(target), set: set, client: clientsInUse[index]) }
                        }
                    }
                }
                await inbox.wait(Self.inboxName, until: nil, clock: clock)
            }
        }
        for made in own { try? await made.shutdown() }
    }

    /// The JSON array Alertmanager's API v2 takes.
    public static func postBody(_ alerts: [NotifiedAlert]) -> String {
        "[" + alerts.map { alert in
            "{\"annotations\":" + WebhookMessage.object(alert.annotations) + ",\"endsAt\":" + WebhookMessage.quote(WebhookMessage.goTime(alert.endsAt))
                + ",\"startsAt\":" + WebhookMessage.quote(WebhookMessage.goTime(alert.startsAt))
                + ",\"generatorURL\":" + WebhookMessage.quote(alert.generatorURL) + ",\"labels\":" + WebhookMessage.object(alert.labels.dictionary) + "}"
        }.joined(separator: ",") + "]"
    }

    private func post(_ body: String, to url: String, set: AlertmanagerSet, client: HTTPClient) async {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Surge")
        if let authorization = set.authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(set.timeout.inMilliseconds))
            _ = try? await response.body.collect(upTo: 1 << 20)
            if !(200..<300).contains(Int(response.status.code)) {
                logger.warning("Alertmanager refused alerts", metadata: ["url": "\(url)", "status": "\(response.status.code)"])
            }
        } catch {
            logger.warning("Alertmanager not reached", metadata: ["url": "\(url)", "error": "\(error)"])
        }
    }
}
