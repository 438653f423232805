import Alerting
import Logging
import ServiceLifecycle
import TimeSeriesCore
import ScalingRuntime

/// Every second, turns the scaling decisions into alerts (`ScalingAlertState` says which) and hands
/// them to the notifiers with the external labels, as rule alerts go.
struct ScalingAlertService: Service {
    let decisions: ScalingDecisions
    let inbox: AlertInbox
    var state: ScalingAlertState
    let externalLabels: [String: String]
    let externalURL: String
    let clock: any LoopClock
    let logger: Logger

    func run() async throws {
        var state = self.state
        while !Task.isShuttingDownGracefully {
            let alerts = state.observe(decisions.snapshots(), at: clock.now)
            inbox.send(alerts.map(notified))
            do {
                try await cancelWhenGracefulShutdown { [clock] in try await clock.sleep(for: .seconds(1)) }
            } catch {
                return
            }
        }
    }

    private func notified(_ alert: ScalingAlert) -> NotifiedAlert {
        NotifiedAlert(labels: Labels(externalLabels.merging(alert.labels) { _, own in own }), annotations: alert.annotations,
                      startsAt: alert.startsAt, endsAt: alert.endsAt,
                      generatorURL: externalURL.isEmpty ? "" : externalURL + "/api/v1/scaling/decisions")
    }
}
