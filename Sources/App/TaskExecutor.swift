import NIOCore
import NIOPosix

/// Makes the event loops of `MultiThreadedEventLoopGroup.singleton` Swift concurrency's global
/// executor. A task resumed by a loop's I/O then goes on running on that loop, so a request read on
/// the server's loop is answered there with no thread switch either way. Call once, from the main
/// thread, before any task starts; returns false if the runtime does not allow it.
public func runTasksOnEventLoops() -> Bool {
    NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
}
