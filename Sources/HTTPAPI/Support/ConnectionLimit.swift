import Glibc
import HummingbirdCore
import Logging

/// At most `maximum` connections are served at once; further ones wait in the listen backlog until
/// one closes, instead of being accepted until file descriptors run out (where accepting fails
/// with EMFILE over and over, a core spins, and every other client waits).
public struct ConnectionLimit: AvailableConnectionsDelegate {
    public let maximum: Int
    let logger: Logger
    var open = 0

    public init(maximum: Int, logger: Logger) {
        self.maximum = maximum
        self.logger = logger
    }

    public mutating func connectionOpened() {
        open += 1
        if open == maximum {
            logger.warning("connection limit reached; new connections wait until one closes", metadata: ["limit": "\(maximum)"])
        }
    }

    public mutating func connectionClosed() {
        open -= 1
    }

    public func isAcceptingNewConnections() -> Bool {
        open < maximum
    }

    /// Raises the soft limit on open files to the hard one, as Go programs (Prometheus among them)
    /// do at start, and returns the connections that fit under it: `configured`, or fewer when the
    /// limit leaves too little room beside the data files, clients and scrapes.
    public static func fitting(_ configured: Int) -> Int {
        var limits = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits) == 0 else { return configured }
        if limits.rlim_cur < limits.rlim_max {
            var raised = limits
            raised.rlim_cur = limits.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limits = raised }
        }
        guard limits.rlim_cur != rlim_t.max else { return configured }
        let files = Int(clamping: limits.rlim_cur)
        let reserved = max(64, files / 8)
        return max(1, min(configured, files - reserved))
    }
}
