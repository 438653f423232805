import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import TimeSeriesCore

/// Sends alerts to Alertmanagers as Prometheus does: every alert the rules hand over (firing ones
/// again each resend delay, resolved ones for 15 minutes) is posted to each Alertmanager's
/// `/api/v2/alerts` in batches of 64; grouping, silences and receivers are Alertmanager's. A post
/// that fails is logged and not retried: the next resend carries the alert again.
public struct AlertmanagerNotifier: Service {
    /// The inbox name this notifier takes alerts under.
    public static let inboxName = "alertmanagers"
    /// `/api/v2/alerts` URLs.
    let urls: [String]
    let inbox: AlertInbox
    let client: HTTPClient
    let clock: any LoopClock
    let logger: Logger

    public init(urls: [String], inbox: AlertInbox, client: HTTPClient = .shared, clock: any LoopClock = SystemClock(), logger: Logger) {
        self.urls = urls
        self.inbox = inbox
        self.client = client
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let alerts = inbox.take(Self.inboxName)
                for start in stride(from: 0, to: alerts.count, by: 64) {
                    let body = Self.postBody(Array(alerts[start..<min(start + 64, alerts.count)]))
                    for url in urls { await post(body, to: url) }
                }
                await inbox.wait(Self.inboxName, until: nil, clock: clock)
            }
        }
    }

    /// The JSON array Alertmanager's API v2 takes.
    public static func postBody(_ alerts: [NotifiedAlert]) -> String {
        "[" + alerts.map { alert in
            "{\"annotations\":" + WebhookMessage.object(alert.annotations) + ",\"endsAt\":" + WebhookMessage.quote(WebhookMessage.goTime(alert.endsAt))
                + ",\"startsAt\":" + WebhookMessage.quote(WebhookMessage.goTime(alert.startsAt))
                + ",\"generatorURL\":" + WebhookMessage.quote(alert.generatorURL) + ",\"labels\":" + WebhookMessage.object(alert.labels.dictionary) + "}"
        }.joined(separator: ",") + "]"
    }

    private func post(_ body: String, to url: String) async {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Surge")
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 1 << 20)
            if !(200..<300).contains(Int(response.status.code)) {
                logger.warning("Alertmanager refused alerts", metadata: ["url": "\(url)", "status": "\(response.status.code)"])
            }
        } catch {
            logger.warning("Alertmanager not reached", metadata: ["url": "\(url)", "error": "\(error)"])
        }
    }
}
