import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
import TimeSeriesCore

/// A webhook that gets Alertmanager's messages (version 4).
public struct WebhookReceiver: Sendable, Equatable {
    public var name: String
    public var url: String
    public var grouping: GroupingOptions
    /// At most this many alerts per message; 0 sends all.
    public var maxAlerts = 0
    /// The `Authorization` header value, already read from its file.
    public var authorization: String?
    /// When set, every post carries `sha256=` and the hex HMAC-SHA256 of its body under this key,
    /// in the header `signatureHeader`, so the receiver can tell Surge's posts from forged ones.
    public var signingKey: [UInt8]?
    public var signatureHeader = "X-Surge-Signature-256"

    public init(name: String, url: String, grouping: GroupingOptions = GroupingOptions(), maxAlerts: Int = 0, authorization: String? = nil) {
        self.name = name
        self.url = url
        self.grouping = grouping
        self.maxAlerts = maxAlerts
        self.authorization = authorization
    }
}

/// Where rules hand their alerts over; every notifier gets all of them.
public final class AlertInbox: Sendable {
    private let queues = Mutex<[String: [NotifiedAlert]]>([:])
    private let wakeups: [String: Wakeup]

    public init(receivers: [String]) {
        wakeups = Dictionary(uniqueKeysWithValues: receivers.map { ($0, Wakeup()) })
    }

    public func send(_ alerts: [NotifiedAlert]) {
        guard !alerts.isEmpty else { return }
        queues.withLock { queues in
            for name in wakeups.keys { queues[name, default: []] += alerts }
        }
        for wakeup in wakeups.values { wakeup.signal() }
    }

    func take(_ receiver: String) -> [NotifiedAlert] {
        queues.withLock { queues in queues.removeValue(forKey: receiver) ?? [] }
    }

    func wait(_ receiver: String, until deadline: Timestamp?, clock: any LoopClock) async {
        await wakeups[receiver]?.wait(until: deadline, clock: clock)
    }
}

/// Groups one receiver's alerts (`AlertDispatcher`) and posts each notification, retrying
/// refused and failed posts with a backoff that doubles up to 30 s until the receiver takes it;
/// an answer of 4xx other than 429 is final, as in Alertmanager. With a journal, a message is on
/// disk before it is first posted and leaves it once taken, and the groups' last notifications
/// are kept, so a restart sends what was pending and nothing that was already sent.
public struct WebhookNotifier: Service {
    let receiver: WebhookReceiver
    let inbox: AlertInbox
    let externalURL: String
    let client: HTTPClient
    /// Where messages wait until delivered and groups' last notifications are kept; nil keeps
    /// them in memory only.
    let journal: NotificationJournal?
    let clock: any LoopClock
    let logger: Logger

    public init(receiver: WebhookReceiver, inbox: AlertInbox, externalURL: String, journal: NotificationJournal? = nil,
                client: HTTPClient = .shared, clock: any LoopClock = SystemClock(), logger: Logger) {
        self.journal = journal
        self.receiver = receiver
        self.inbox = inbox
        self.externalURL = externalURL
        self.client = client
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var dispatcher = AlertDispatcher(options: receiver.grouping, log: journal?.loadLog() ?? [:])
            // Messages a stop left undelivered go first, in order.
            for (name, body) in journal?.pending() ?? [] {
                guard await deliver(body, group: name) else { return }
                journal?.remove(name)
            }
            while !Task.isCancelled {
                dispatcher.receive(inbox.take(receiver.name), now: clock.now)
                for notification in dispatcher.due(now: clock.now) {
                    let message = WebhookMessage(receiver: receiver.name, notification: notification, externalURL: externalURL,
                                                 maxAlerts: receiver.maxAlerts)
                    let body = message.json
                    var queued: String?
                    do {
                        queued = try journal?.enqueue(body, firing: !notification.firing().isEmpty)
                        try journal?.saveLog(dispatcher.log)
                    } catch {
                        logger.error("notification not kept on disk; it is sent from memory", metadata: ["receiver": "\(receiver.name)", "error": "\(error)"])
                    }
                    // Undelivered at shutdown: it stays queued for the next start.
                    guard await deliver(body, group: message.groupKey) else { return }
                    if let queued { journal?.remove(queued) }
                }
                await inbox.wait(receiver.name, until: dispatcher.nextDeadline, clock: clock)
            }
        }
    }

    /// Posts until the receiver takes the message (true) or refuses it for good (true: nothing
    /// more can be done); false when shutdown came first.
    private func deliver(_ body: String, group: String) async -> Bool {
        var backoff: Int64 = 500
        let metadata: Logger.Metadata = ["receiver": "\(receiver.name)", "group": "\(group)"]
        while !Task.isCancelled {
            var request = HTTPClientRequest(url: receiver.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "Surge")
            if let authorization = receiver.authorization { request.headers.add(name: "Authorization", value: authorization) }
            if let key = receiver.signingKey {
                request.headers.add(name: receiver.signatureHeader, value: WebhookSignature.header(body: Array(body.utf8), key: key))
            }
            request.body = .bytes(ByteBuffer(string: body))
            var retry = true
            do {
                let response = try await client.execute(request, timeout: .seconds(30))
                _ = try? await response.body.collect(upTo: 1 << 20)
                let code = Int(response.status.code)
                if (200..<300).contains(code) { return true }
                retry = code >= 500 || code == 429
                logger.warning(retry ? "webhook refused the notification; retrying" : "webhook refused the notification for good",
                               metadata: metadata.merging(["status": "\(code)"]) { $1 })
            } catch {
                logger.warning("webhook not reached; retrying", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            }
            guard retry else { return true }
            do { try await clock.sleep(until: clock.now + backoff) } catch { return false }
            backoff = min(backoff * 2, 30_000)
        }
        return false
    }
}

/// Wakes a waiting loop when alerts arrive; a signal with nobody waiting is kept for the next wait.
final class Wakeup: Sendable {
    private let state = Mutex<(pending: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at a signal, at `deadline`, or when cancelled.
    func wait(until deadline: Timestamp?, clock: any LoopClock) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForSignal() }
            if let deadline { group.addTask { try? await clock.sleep(until: deadline) } }
            await group.next()
            group.cancelAll()
            self.signal()  // releases the signal waiter if the deadline came first
            await group.waitForAll()
            self.state.withLock { $0.pending = false }
        }
    }

    private func waitForSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            signal()
        }
    }
}
