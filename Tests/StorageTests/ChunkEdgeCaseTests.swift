import SurgeTestKit
import Testing
import TimeSeriesCore
@testable import Storage

@Suite struct ChunkEdgeCaseTests {
    static let cases: [(String, [(Int64, Double)])] = [
        ("equal timestamps", [(1000, 1), (1000, 2), (1000, 3), (2000, 4)]),
        ("huge gaps", [(0, 1), (1, 2), (Int64(1) << 40, 3), ((Int64(1) << 40) + 1, 4), (Int64(1) << 62, 5)]),
        ("negative times", [(-5_000_000, 1), (-1, 2), (0, 3), (15_000, 4)]),
        ("NaN and infinities", [(0, .nan), (15, .infinity), (30, -.infinity), (45, .nan), (60, 1)]),
        ("stale markers", [(0, 1), (15, StaleNaN.value), (30, StaleNaN.value), (45, 2)]),
        ("negative zero", [(0, -0.0), (15, 0.0), (30, -0.0), (45, -0.0)]),
        ("extremes", [(0, .greatestFiniteMagnitude), (1, -.greatestFiniteMagnitude), (2, .leastNonzeroMagnitude), (3, -.leastNormalMagnitude)]),
        ("one sample", [(1_700_000_000_000, 42)]),
        ("jitter across every bucket", (0..<120).map { i in (Int64(i) * 15_000 + [0, 1, -8000, 8191, 65_000, 524_000, 600_000][i % 7], Double(i)) }),
    ]

    @Test(arguments: cases.indices)
    func roundTripsBitExactlyFromMemoryAndFromRawBytes(index: Int) {
        let (_, samples) = Self.cases[index]
        var chunk = XORChunk()
        for (t, v) in samples { chunk.append(t, v) }
        var fromRaw: [(Int64, UInt64)] = []
        chunk.bytes.withUnsafeBytes { bytes in
            XORChunk.forEach(in: bytes, count: chunk.count) { t, v in
                fromRaw.append((t, v.bitPattern))
                return true
            }
        }
        #expect(fromRaw.count == samples.count)
        for (expected, actual) in zip(samples, fromRaw) {
            #expect(expected.0 == actual.0)
            #expect(expected.1.bitPattern == actual.1)
        }
        #expect(chunk.minTime == samples.first!.0 && chunk.maxTime == samples.last!.0)
    }

    @Test func damagedBytesEndDecodingWithoutTrapping() {
        var chunk = XORChunk()
        for i in 0..<120 { chunk.append(Int64(i) * 15_000, Double(i) * 1.5) }
        var rng = SplitMix(seed: 7)
        for _ in 0..<200 {
            var bytes = chunk.bytes
            let cut = Int(rng.next() % UInt64(bytes.count))
            bytes[cut] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            if rng.next() % 2 == 0 { bytes.removeLast(bytes.count - cut) }
            var decoded = 0
            bytes.withUnsafeBytes { XORChunk.forEach(in: $0, count: 120) { _, _ in decoded += 1; return true } }
            #expect(decoded <= 120)
        }
    }

    @Test func encodeSplitsIntoFullChunks() {
        let samples = (0..<250).map { Sample(timestamp: Int64($0) * 1000, value: Double($0)) }
        let chunks = XORChunk.encode(samples)
        #expect(chunks.map(\.count) == [120, 120, 10])
        #expect(chunks[1].minTime == 120_000)
    }
}
