import Synchronization

/// Where a reload is asked for (SIGHUP, `POST /-/reload`) and where the parts that re-read files
/// (rule groups, scaling policies) hear of it and say how it went.
public final class ReloadHub: Sendable {
    /// One reload for one part: `finish` with nil when it took, or with what went wrong.
    public struct Request: Sendable {
        public let finish: @Sendable (_ error: String?) -> Void
    }

    private let subscribers = Mutex<[(name: String, continuation: AsyncStream<Request>.Continuation)]>([])

    public init() {}

    /// The reload requests of one part, for as long as it listens.
    public func requests(for name: String) -> AsyncStream<Request> {
        let (stream, continuation) = AsyncStream.makeStream(of: Request.self, bufferingPolicy: .bufferingNewest(1))
        subscribers.withLock { $0.append((name, continuation)) }
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLock { list in list.removeAll { $0.name == name } }
        }
        return stream
    }

    /// Asks every part to reload and waits for all of them; the problems, each prefixed by its
    /// part's name, or none.
    public func reload() async -> [String] {
        let parts = subscribers.withLock { $0 }
        return await withTaskGroup(of: String?.self) { group in
            for part in parts {
                group.addTask {
                    await withCheckedContinuation { (done: CheckedContinuation<String?, Never>) in
                        let once = Mutex(false)
                        let request = Request { error in
                            let first = once.withLock { (finished: inout Bool) -> Bool in
                                defer { finished = true }
                                return !finished
                            }
                            guard first else { return }
                            done.resume(returning: error.map { "\(part.name): \($0)" })
                        }
                        switch part.continuation.yield(request) {
                        case .dropped(let older): older.finish(nil)  // this reload covers it
                        case .terminated: request.finish(nil)  // the part stopped listening
                        default: break
                        }
                    }
                }
            }
            var problems: [String] = []
            for await problem in group { if let problem { problems.append(problem) } }
            return problems.sorted()
        }
    }
}
