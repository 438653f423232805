#if canImport(Glibc)
import Glibc
#endif
import SurgeTestKit
import Testing

/// Ports handed to programs the tests start lie outside the kernel's ephemeral range, so no outgoing
/// connection can take one before the program binds it.
@Suite struct FreePortTests {
    @Test func portsAreDistinctFreeAndOutsideTheEphemeralRange() throws {
        let ephemeral = PortAllocator.ephemeralRange()
        var seen: Set<Int> = []
        for _ in 0..<200 {
            let port = try freeLocalPort()
            #expect(!ephemeral.contains(port), "\(port) is inside \(ephemeral)")
            #expect(PortAllocator.shared.range.contains(port))
            #expect(seen.insert(port).inserted, "\(port) handed out twice")
        }
    }

    @Test func rangeLiesBelowOrAboveTheEphemeralRange() {
        #expect(PortAllocator.range(outside: 32768...60999) == 22768..<32768)
        #expect(PortAllocator.range(outside: 5000...60999) == 20_000..<30_000)
        #expect(PortAllocator.range(outside: 5000...50000) == 50001..<60001)
    }

    @Test func aPortInUseIsSkipped() throws {
        let port = try freeLocalPort()
        let allocator = PortAllocator(range: port..<(port + 1))
        let listener = try listen(on: port)
        #expect(throws: TestKitError.self) { try allocator.next() }
        close(listener)
        #expect(try allocator.next() == port)
    }

    private func listen(on port: Int) throws -> Int32 {
        guard let fd = PortAllocator.boundSocket(port: port) else { throw TestKitError("cannot bind \(port)") }
        guard Glibc.listen(fd, 1) == 0 else { close(fd); throw TestKitError("cannot listen on \(port)") }
        return fd
    }
}
