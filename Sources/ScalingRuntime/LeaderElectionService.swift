import Actuators
import Logging
import ServiceLifecycle
import TimeSeriesCore

/// Runs this replica's side of leader election: a round every retry period (read the Lease, take
/// or renew it when free, expired or already this replica's), the outcome in `leadership`, which
/// the scaling service asks before every write. Followers keep evaluating and serving; on shutdown
/// a leader gives the Lease up so another replica takes over at once.
public struct LeaderElectionService: Service {
    let leadership: Leadership
    let lock: any LeaseLock
    let retryPeriod: Int64
    let clock: any LoopClock
    let logger: Logger

    public init(leadership: Leadership, lock: any LeaseLock, retryPeriod: Int64 = 2_000, clock: any LoopClock = SystemClock(), logger: Logger) {
        self.leadership = leadership
        self.lock = lock
        self.retryPeriod = retryPeriod
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        var leading = false
        let metadata: Logger.Metadata = ["lease": "\(lock.description)", "identity": "\(leadership.identity)"]
        while !Task.isShuttingDownGracefully {
            let now = clock.now
            let leads = await leadership.round(lock, now: { [clock] in clock.now })
            if leads != leading {
                if leads {
                    logger.notice("became the leader: this replica applies scaling decisions", metadata: metadata)
                } else {
                    logger.warning("not the leader: scaling decisions are published, not applied", metadata: metadata.merging(
                        ["holder": "\(leadership.holder ?? "")"]) { $1 })
                }
                leading = leads
            }
            do {
                try await cancelWhenGracefulShutdown { [clock, retryPeriod] in try await clock.sleep(until: now + retryPeriod) }
            } catch {
                break
            }
        }
        if leading { await leadership.release(lock, now: clock.now) }
    }
}
