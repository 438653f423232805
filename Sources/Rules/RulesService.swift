import Alerting
import Foundation
import Logging
import ServiceLifecycle
import TimeSeriesCore

/// Evaluates the rule groups along the clock, each on its own schedule (`RuleGroupLoop` says when),
/// queries through the query seam and writes what the rules produce (recordings, staleness markers,
/// `ALERTS`, `ALERTS_FOR_STATE`) back through the appender. A reload (SIGHUP, `POST /-/reload`)
/// re-reads the rule files, as Prometheus does: unchanged rules keep their state, and files that no
/// longer load leave the running groups as they were and fail the reload.
public struct RulesService: Service {
    let groups: [RuleGroup]
    let reload: @Sendable () throws -> [RuleGroup]
    let engine: any QueryEngine
    let appender: any SeriesAppender
    let board: RuleStatusBoard
    let defaults: GroupEvaluation.Defaults
    let restore: GroupEvaluation.RestoreOptions
    /// Where alerts to notify go; nil keeps them to the API.
    let alerts: AlertInbox?
    /// Reload requests (SIGHUP, `POST /-/reload`).
    let reloads: ReloadHub
    let clock: any LoopClock
    let logger: Logger

    public init(groups: [RuleGroup], reload: @escaping @Sendable () throws -> [RuleGroup], engine: any QueryEngine,
                appender: any SeriesAppender, board: RuleStatusBoard, defaults: GroupEvaluation.Defaults = .init(),
                restore: GroupEvaluation.RestoreOptions = .init(), alerts: AlertInbox? = nil, reloads: ReloadHub = ReloadHub(),
                clock: any LoopClock = SystemClock(), logger: Logger) {
        self.reloads = reloads
        self.restore = restore
        self.alerts = alerts
        self.groups = groups
        self.reload = reload
        self.engine = engine
        self.appender = appender
        self.board = board
        self.defaults = defaults
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        logger.info("rule groups are evaluated", metadata: ["groups": "\(groups.count)", "rules": "\(groups.reduce(0) { $0 + $1.rules.count })"])
        var generation = start(groups, restoring: true)
        for await request in reloads.requests(for: "rules").cancelOnGracefulShutdown() {
            let reloaded: [RuleGroup]
            do {
                reloaded = try reload()
            } catch {
                logger.error("rule files not reloaded; the running rules stay", metadata: ["error": "\(error)"])
                request.finish("\(error)")
                continue
            }
            generation.cancel()
            await generation.value
            logger.notice("rule files reloaded", metadata: ["groups": "\(reloaded.count)"])
            generation = start(reloaded, restoring: false)
            request.finish(nil)
        }
        generation.cancel()
        await generation.value
    }

    /// Groups loaded at start restore their alerts' pending time from `ALERTS_FOR_STATE`; groups a
    /// reload adds start afresh, as in Prometheus.
    private func start(_ groups: [RuleGroup], restoring: Bool) -> Task<Void, Never> {
        var evaluations: [GroupEvaluation] = []
        for group in groups {
            var evaluation = GroupEvaluation(group: group, defaults: defaults)
            if restoring { evaluation.restoreForState = restore }
            if let earlier = board.groups.first(where: { $0.evaluation.group.file == group.file && $0.evaluation.group.name == group.name }) {
                evaluation.adopt(earlier.evaluation)
            }
            evaluations.append(evaluation)
        }
        // Series of groups the reload removed end now, as Prometheus marks them stale.
        let removed = board.groups.filter { old in !groups.contains { $0.file == old.evaluation.group.file && $0.name == old.evaluation.group.name } }
        let now = clock.now
        for old in removed {
            write(old.evaluation.retired(at: now), metadata: ["group": "\(old.evaluation.group.name)", "file": "\(old.evaluation.group.file)"])
        }
        board.replace(with: evaluations)
        return Task {
            await withDiscardingTaskGroup { tasks in
                for evaluation in evaluations {
                    tasks.addTask { await run(evaluation) }
                }
            }
        }
    }

    private func run(_ initial: GroupEvaluation) async {
        let metadata: Logger.Metadata = ["group": "\(initial.group.name)", "file": "\(initial.group.file)"]
        await cancelWhenGracefulShutdown {
            var evaluation = initial
            var loop = RuleGroupLoop(schedule: GroupSchedule(name: initial.group.name, file: initial.group.file, interval: initial.interval))
            var action = loop.next(.start, now: clock.now)
            while !Task.isCancelled {
                switch action {
                case .sleep(let deadline):
                    do { try await clock.sleep(until: deadline) } catch { return }
                    action = loop.next(.wake, now: clock.now)
                case .evaluate(let time):
                    let started = clock.nanoseconds
                    let round = await evaluation.evaluate(at: time, query: { query, at in try await engine.instant(query, at: at) },
                                                          write: { write($0, metadata: metadata) })
                    let rules = evaluation.group.rules
                    alerts?.send(round.alerts.map { alert in notified(alert, rule: rules.first { $0.name == alert.labels["alertname"] }) })
                    for (index, health) in evaluation.health.sorted(by: { $0.key < $1.key }) {
                        guard let error = health.error else { continue }
                        logger.warning("rule evaluation failed", metadata: metadata.merging([
                            "rule": "\(evaluation.group.rules[index].name)", "error": "\(error)"]) { $1 })
                    }
                    board.record(evaluation, at: time, duration: .nanoseconds(clock.nanoseconds - started), missed: loop.missed)
                    action = loop.next(.evaluated, now: clock.now)
                }
            }
        }
    }

    /// An alert as notifiers get it: with the external labels (the alert's own win) and a link to
    /// the expression, as Prometheus sends it.
    private func notified(_ alert: Alert, rule: Rule?) -> NotifiedAlert {
        let labels = Labels(defaults.externalLabels.merging(alert.labels.dictionary) { _, own in own })
        let expression = goQueryEscape(rule?.expr ?? "")
        // Prometheus sends the time the alert fired as its start.
        return NotifiedAlert(labels: labels, annotations: alert.annotations, startsAt: alert.firedAt ?? alert.activeAt, endsAt: alert.endsAt,
                             generatorURL: defaults.externalURL.isEmpty ? "" : defaults.externalURL + "/graph?g0.expr=" + expression + "&g0.tab=1")
    }

    private func write(_ samples: [VectorElement], metadata: Logger.Metadata) {
        guard !samples.isEmpty else { return }
        do {
            let result = try appender.append(samples.map { SeriesSamples(labels: $0.labels, samples: [Sample(timestamp: $0.timestamp, value: $0.value)]) })
            if let rejection = result.firstRejection {
                logger.warning("storage refused rule output", metadata: metadata.merging(["reason": "\(rejection)"]) { $1 })
            }
        } catch {
            logger.error("rule output could not be stored", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }
}

/// Go's `url.QueryEscape`: letters, digits and `-_.~` stay, a space becomes `+`, the rest `%XX`.
func goQueryEscape(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        case UInt8(ascii: " "):
            out += "+"
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            out += "%" + (hex.count == 1 ? "0" : "") + hex
        }
    }
    return out
}
