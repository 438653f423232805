import Logging
import ServiceLifecycle
import TimeSeriesCore
import UnixSignals

/// SIGHUP reloads what the server reads from files (rule groups, scaling policies), as Prometheus
/// reloads on SIGHUP; the parts log what did not load.
struct HangupService: Service {
    let reloads: ReloadHub
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            let problems = await reloads.reload()
            if !problems.isEmpty { logger.error("reload on SIGHUP failed", metadata: ["problems": "\(problems)"]) }
        }
    }
}
