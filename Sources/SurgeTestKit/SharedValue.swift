import Synchronization

/// A value that test code and the tasks it starts both read and change.
public final class SharedValue<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    public init(_ value: Value) { storage = Mutex(value) }

    public var value: Value { storage.withLock { $0 } }

    public func update<T>(_ change: (inout Value) -> T) -> T { storage.withLock { change(&$0) } }
}

/// Polls `condition` every 20 ms until it holds, failing after `timeout`.
public func waitUntil(timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TestKitError("condition not met within \(timeout)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
