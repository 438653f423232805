import SurgeTestKit
import TimeSeriesCore
import Testing
@testable import WireFormat

/// The direct remote-write 1.0 reader agrees with libprotobuf-c on valid requests and never traps
/// on damaged ones.
@Suite struct WriteRequestV1ParserTests {
    static func randomRequest(_ rng: inout some RandomNumberGenerator, series: Int) -> [RemoteWriteEncoder.WireSeries] {
        (0..<series).map { s in
            var labels = [Label("__name__", "metric_\(s % 7)"), Label("instance", "host-\(Int.random(in: 0..<50, using: &rng))")]
            if Bool.random(using: &rng) { labels.append(Label("pod", "pod-\(s)-ünïcode")) }
            if Bool.random(using: &rng) { labels.append(Label("zone", "")) }  // empty values are dropped
            let samples = (0..<Int.random(in: 0...4, using: &rng)).map { i in
                Sample(timestamp: Int64.random(in: -1_000...1_800_000_000_000, using: &rng) + Int64(i),
                       value: [Double.nan, StaleNaN.value, .infinity, -1.5, 0, Double.random(in: -1e9...1e9, using: &rng)][i % 6])
            }
            return RemoteWriteEncoder.WireSeries(labels: labels.sorted(), samples: samples)
        }
    }

    @Test(arguments: 1...20)
    func agreesWithProtobufC(seed: Int) throws {
        var (rng, _) = SplitMix.forTest("agreesWithProtobufC(\(seed))", defaultSeed: UInt64(seed))
        let request = Self.randomRequest(&rng, series: seed * 7)
        let bytes = RemoteWriteEncoder.protobuf(request, version: .v1)
        let direct = try WriteRequestV1Parser.parse(bytes)
        let viaC = try bytes.withUnsafeBytes { try RemoteWriteDecoder.decodeV1($0) }
        #expect(direct.series.map(\.labels) == viaC.series.map(\.labels))
        #expect(direct.series.map(\.samples) == viaC.series.map(\.samples))
        #expect(direct.batch.hashes == viaC.batch.hashes)
    }

    /// Damaged bytes may be read differently by the two (libprotobuf-c cuts strings at an embedded NUL,
    /// the direct reader keeps them, as Prometheus does); neither may trap.
    @Test func damagedRequestsNeverTrap() {
        var (rng, _) = SplitMix.forTest("damagedRequestsNeverTrap", defaultSeed: 35)
        let bytes = RemoteWriteEncoder.protobuf(Self.randomRequest(&rng, series: 20), version: .v1)
        for _ in 0..<2_000 {
            var damaged = bytes
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                damaged[Int.random(in: 0..<damaged.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            if Bool.random(using: &rng) { damaged.removeLast(Int.random(in: 0..<damaged.count, using: &rng)) }
            let direct = try? WriteRequestV1Parser.parse(damaged)
            let again = try? WriteRequestV1Parser.parse(damaged)
            _ = try? damaged.withUnsafeBytes { try RemoteWriteDecoder.decodeV1($0) }
            #expect(direct?.series.map(\.labels) == again?.series.map(\.labels))
        }
    }

    /// Remote-write 2.0 goes through libprotobuf-c and then symbol references; damaged bytes are
    /// refused or read, never trapped on.
    @Test func damagedV2RequestsNeverTrap() {
        var (rng, _) = SplitMix.forTest("damagedV2RequestsNeverTrap", defaultSeed: 53)
        let bytes = RemoteWriteEncoder.protobuf(Self.randomRequest(&rng, series: 20), version: .v2)
        var decoded = 0
        for _ in 0..<2_000 {
            var damaged = bytes
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                damaged[Int.random(in: 0..<damaged.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            if Bool.random(using: &rng) { damaged.removeLast(Int.random(in: 0..<damaged.count, using: &rng)) }
            if (try? damaged.withUnsafeBytes { try RemoteWriteDecoder.decodeV2($0) }) != nil { decoded += 1 }
        }
        #expect(decoded < 2_000, "some damage must be detected")
    }
}
