import SurgeTestKit
import Testing
@testable import WireFormat

@Suite struct SnappyTests {
    @Test(arguments: [0, 1, 17, 4096, 100_000])
    func roundTrip(size: Int) throws {
        var (generator, _) = SplitMix.forTest("snappy roundTrip(\(size))", defaultSeed: UInt64(size))
        let input = (0..<size).map { i in i % 7 == 0 ? UInt8.random(in: 0...255, using: &generator) : UInt8(i % 13) }
        let compressed = Snappy.compress(input)
        #expect(try Snappy.decompress(compressed, limit: size + 1) == input)
        if size > 4096 { #expect(compressed.count < input.count) }
    }

    @Test func corruptInputIsRejected() {
        let compressed = Snappy.compress(Array(repeating: UInt8(42), count: 1000))
        var damaged = compressed
        damaged.removeLast(3)
        #expect(throws: Snappy.Error.self) { try Snappy.decompress(damaged, limit: 1 << 20) }
        #expect(throws: Snappy.Error.self) { try Snappy.decompress([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], limit: 1 << 20) }
    }

    @Test func decodedSizeOverLimitIsRejectedBeforeDecoding() {
        let compressed = Snappy.compress(Array(repeating: UInt8(1), count: 10_000))
        #expect {
            try Snappy.decompress(compressed, limit: 9_999)
        } throws: { error in
            (error as? Snappy.Error)?.code == .tooLarge
        }
    }
}
