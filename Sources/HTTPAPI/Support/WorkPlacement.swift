import NIOCore
import NIOPosix

/// Where request work runs. The HTTP server reads and writes on one event loop of the group, so a
/// new connection and a small query never change threads. Work that may take long goes to the
/// group's other loops so that loop keeps serving; remote-write decoding goes to every loop in turn
/// so ingestion uses every core.
public struct WorkPlacement: Sendable {
    let group: any EventLoopGroup
    /// The loop the HTTP server runs on; nil when it is unknown, and then any loop serves.
    let serverLoop: (any EventLoop)?

    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, serverLoop: (any EventLoop)? = nil) {
        self.group = group
        self.serverLoop = serverLoop
    }

    /// Runs `work` on the next loop of the group, the server's loop included.
    func spread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await run(work, on: group.next())
    }

    /// Runs `work` on a loop other than the server's, when the group has another.
    func awayFromServer<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        var loop = group.next()
        if let serverLoop, loop === serverLoop { loop = group.next() }
        return await run(work, on: loop)
    }

    private func run<T: Sendable>(_ work: @escaping @Sendable () -> T, on loop: any EventLoop) async -> T {
        do {
            return try await loop.submit(work).get()
        } catch {
            // The loop shut down with the task still queued and failed it; `work` never ran there.
            return work()
        }
    }
}
