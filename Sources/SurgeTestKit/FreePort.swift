#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Hands out unused TCP ports on 127.0.0.1 for programs a test starts.
///
/// The ports come from below the kernel's ephemeral range (`ip_local_port_range`). A port taken by
/// binding port 0 lies inside that range, so between handing it out and the program binding it, an
/// outgoing connection of any test could take it as its local port ("address already in use"). Ports
/// below the range are never picked for outgoing connections; within this process each one is handed
/// out once, and each is checked free by binding it.
public func freeLocalPort() throws -> Int {
    try PortAllocator.shared.next()
}

public final class PortAllocator: Sendable {
    public static let shared = PortAllocator(range: range(outside: ephemeralRange()))

    public let range: Range<Int>
    private let cursor: Mutex<Int>

    public init(range: Range<Int>) {
        precondition(!range.isEmpty)
        self.range = range
        // Separate test processes start at different places in the range.
        cursor = Mutex(Int(getpid()) &* 7919 % range.count)
    }

    public func next() throws -> Int {
        for _ in 0..<range.count {
            let port = cursor.withLock { offset in
                defer { offset = (offset + 1) % range.count }
                return range.lowerBound + offset
            }
            if PortAllocator.canBind(port) { return port }
        }
        throw TestKitError("no free TCP port on 127.0.0.1 in \(range)")
    }

    /// The kernel's range for the local ports of outgoing connections.
    public static func ephemeralRange() -> ClosedRange<Int> {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let bounds = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        return bounds.count == 2 && bounds[0] <= bounds[1] ? bounds[0]...bounds[1] : 32768...60999
    }

    /// 10,000 ports just below the ephemeral range, or above it when there is no room below; when the
    /// ephemeral range leaves no such room, ports inside it, accepting the race.
    public static func range(outside ephemeral: ClosedRange<Int>) -> Range<Int> {
        if ephemeral.lowerBound - 10_000 >= 1024 { return (ephemeral.lowerBound - 10_000)..<ephemeral.lowerBound }
        if ephemeral.upperBound + 10_001 <= 65536 { return (ephemeral.upperBound + 1)..<(ephemeral.upperBound + 10_001) }
        return 20_000..<30_000
    }

    public static func canBind(_ port: Int) -> Bool {
        guard let fd = boundSocket(port: port) else { return false }
        close(fd)
        return true
    }

    /// A TCP socket bound to 127.0.0.1:`port`, or nil when the port is taken.
    public static func boundSocket(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { close(fd); return nil }
        return fd
    }
}

public struct TestKitError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
