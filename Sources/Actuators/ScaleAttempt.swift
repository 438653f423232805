import Foundation

/// How one attempt to set a workload's replicas goes, without the API calls (the service performs
/// what `next` says and reports back): write with the resourceVersion the decision was made on;
/// on 409 Conflict decide again on a fresh read, a bounded number of times; on 5xx, 429 or an
/// unreachable server, retry the same write after a backoff that doubles; on 401, 403, 404 or 422
/// stop with the API's message, since a retry cannot succeed.
public struct ScaleAttempt: Sendable, Equatable {
    public let maxConflicts: Int
    public let maxRetries: Int
    public private(set) var conflicts = 0
    public private(set) var retries = 0
    private var backoff: Int64

    public init(maxConflicts: Int = 3, maxRetries: Int = 3, firstBackoff: Int64 = 200) {
        self.maxConflicts = maxConflicts
        self.maxRetries = maxRetries
        self.backoff = firstBackoff
    }

    /// What the API answered a write.
    public enum Answer: Sendable, Equatable {
        /// The scale as stored, with its new resourceVersion (the next write carries it).
        case accepted(replicas: Int, resourceVersion: String?)
        /// An HTTP status other than 2xx, with the API's message.
        case refused(status: Int, message: String)
        /// No answer: the server could not be reached or did not answer in time.
        case unreachable(String)
    }

    public enum Step: Sendable, Equatable {
        /// Done: the API took the new count.
        case applied(replicas: Int, resourceVersion: String?)
        /// Read the workload again, decide again on it and write what that says.
        case decideAgain
        /// Send the same write again after this many milliseconds.
        case retry(afterMilliseconds: Int64)
        /// Done without a change; `message` says why, in the API's words where there are some.
        case failed(status: Int?, message: String)
    }

    public mutating func next(_ answer: Answer) -> Step {
        switch answer {
        case .accepted(let replicas, let resourceVersion):
            return .applied(replicas: replicas, resourceVersion: resourceVersion)
        case .refused(409, let message):
            conflicts += 1
            return conflicts > maxConflicts ? .failed(status: 409, message: "gave up after \(maxConflicts) conflicts: \(message)") : .decideAgain
        case .refused(let status, let message) where status >= 500 || status == 429:
            return transient(status: status, message)
        case .refused(let status, let message):
            return .failed(status: status, message: message)
        case .unreachable(let message):
            return transient(status: nil, message)
        }
    }

    private mutating func transient(status: Int?, _ message: String) -> Step {
        retries += 1
        guard retries <= maxRetries else { return .failed(status: status, message: "gave up after \(maxRetries) retries: \(message)") }
        defer { backoff = min(backoff * 2, 5_000) }
        return .retry(afterMilliseconds: backoff)
    }
}
