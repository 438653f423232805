import NIOCore
import NIOPosix

/// Where long request work runs. Request handlers run on the event loop that read the request
/// (see `runTasksOnEventLoops`), so small requests never change threads; work that may take long
/// (a large query, a listing of series, a flush) goes to a thread pool so the loop keeps serving
/// its other connections.
public struct WorkPlacement: Sendable {
    let pool: NIOThreadPool

    public init(pool: NIOThreadPool = .singleton) {
        self.pool = pool
    }

    /// Runs `work` on the pool, or here when the pool is not running.
    func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        do {
            return try await pool.runIfActive(work)
        } catch {
            // The pool is stopped (or was never started) and did not run `work`.
            return work()
        }
    }
}
