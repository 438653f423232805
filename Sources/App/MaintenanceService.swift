import Dispatch
import Logging
import ServiceLifecycle
import Storage
import TimeSeriesCore

/// Checks the blocks once at start, then runs the database's maintenance (head → blocks, block
/// merges, retention; in agent mode, removing log segments every forwarder has read) on a timer
/// until shutdown. The work is blocking file I/O, so it runs on its
/// own dispatch queue.
struct MaintenanceService: Service {
    let database: Database
    let interval: Duration
    /// Agent mode: the oldest log segment a forwarder still needs, nil while one has not said.
    var forwardingHold: (@Sendable () -> Int?)? = nil
    let clock: any LoopClock
    let logger: Logger

    func run() async throws {
        let queue = DispatchQueue(label: "surge.maintenance")
        // Damaged or truncated blocks are reported soon after start, without holding up readiness.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.async {
                database.verifyBlocks()
                done.resume()
            }
        }
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { [clock, interval] in try await clock.sleep(for: interval) }
            } catch {
                return
            }
            if Task.isShuttingDownGracefully { return }
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                queue.async {
                    do {
                        if database.isAgent {
                            if let hold = forwardingHold?() { try database.truncateForwardedLog(hold: hold) }
                        } else {
                            try database.maintain()
                        }
                    } catch {
                        logger.error("storage maintenance failed; it will be retried", metadata: ["error": "\(error)"])
                    }
                    done.resume()
                }
            }
        }
    }
}
