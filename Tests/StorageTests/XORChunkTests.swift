import SurgeTestKit
import TimeSeriesCore
import Testing
@testable import Storage

@Suite struct XORChunkTests {
    static func roundTrip(_ samples: [(Int64, Double)]) -> [(Int64, UInt64)] {
        var chunk = XORChunk()
        for (t, v) in samples { chunk.append(t, v) }
        var out: [(Int64, UInt64)] = []
        chunk.forEach { t, v in
            out.append((t, v.bitPattern))
            return true
        }
        return out
    }

    @Test func regularScrapesCompressWell() {
        var chunk = XORChunk()
        for i in 0..<120 { chunk.append(1_700_000_000_000 + Int64(i) * 15_000, Double(i / 10)) }
        // 120 samples of 16 raw bytes each; regular intervals and slowly changing values pack tightly.
        #expect(chunk.byteCount < 120 * 2)
        #expect(chunk.isFull)
    }

    @Test(arguments: [1, 2, 3, 120])
    func randomSamplesRoundTripExactly(count: Int) {
        var (generator, seed) = SplitMix.forTest("randomSamplesRoundTripExactly(\(count))", defaultSeed: 1_000 + UInt64(count))
        var t: Int64 = Int64.random(in: -1_000_000...1_000_000_000_000, using: &generator)
        var samples: [(Int64, Double)] = []
        let specials: [Double] = [.nan, StaleNaN.value, .infinity, -.infinity, -0.0, 0, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        for i in 0..<count {
            // Jitter across every delta-of-delta bucket, including huge gaps.
            let step: Int64 = [15_000, 15_001, 14_000, 70_000, 400_000, 10_000_000_000, 1][i % 7]
            t += step
            let value = i % 5 == 0 ? specials[i % specials.count] : Double.random(in: -1e12...1e12, using: &generator)
            samples.append((t, value))
        }
        let decoded = Self.roundTrip(samples)
        #expect(decoded.count == samples.count)
        for (expected, actual) in zip(samples, decoded) {
            #expect(expected.0 == actual.0, "seed \(seed)")
            #expect(expected.1.bitPattern == actual.1, "seed \(seed)")
        }
    }

    @Test func bitStreamVarintsRoundTrip() {
        var writer = BitWriter()
        let values: [Int64] = [0, 1, -1, 63, -64, 1 << 40, Int64.min, Int64.max]
        writer.write(bits: 1, count: 1)  // misalign on purpose
        for v in values { writer.writeVarint(v) }
        writer.bytes.withUnsafeBytes { bytes in
            var reader = BitReader(bytes)
            #expect(reader.readBit() == true)
            for v in values { #expect(reader.readVarint() == v) }
        }
    }

    @Test func bitStreamFieldsOfEveryWidthRoundTrip() {
        var rng = SplitMix(seed: 7)
        var writer = BitWriter()
        var fields: [(UInt64, Int)] = []
        for _ in 0..<2_000 {
            let count = Int(rng.next() % 65)
            // High bits beyond `count` are garbage on purpose: the writer must ignore them.
            let value = rng.next()
            writer.write(bits: value, count: count)
            fields.append((count == 64 ? value : value & ((1 << UInt64(count)) - 1), count))
        }
        writer.bytes.withUnsafeBytes { bytes in
            var reader = BitReader(bytes)
            for (value, count) in fields { #expect(reader.readBits(count) == value) }
            #expect(reader.readBits(8) == nil)
        }
    }
}
