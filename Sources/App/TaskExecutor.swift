import NIOCore
import NIOPosix

/// Makes the event loops of `MultiThreadedEventLoopGroup.singleton` (the loops the HTTP server
/// uses) Swift concurrency's global executor. A task resumed by a loop's I/O then goes on running
/// on that loop, so a request is answered on the loop that read it, with no thread switch either
/// way. Work that may run long must then leave the loops: queries that are not small and listings
/// go to a thread pool (`WorkPlacement`), storage maintenance to its own queue. Call once, from the
/// main thread, before any task starts; returns false if the runtime does not allow it.
public func runTasksOnEventLoops() -> Bool {
    NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
}
