import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore
@testable import Storage

@Suite struct PackedChunkTests {
    static func decode(_ bytes: [UInt8], count: Int) -> [(Int64, UInt64)] {
        var out: [(Int64, UInt64)] = []
        bytes.withUnsafeBytes { raw in
            PackedChunk.forEach(in: raw, count: count) { t, v in
                out.append((t, v.bitPattern))
                return true
            }
        }
        return out
    }

    static func expectRoundTrip(_ samples: [(Int64, Double)], sourceLocation: SourceLocation = #_sourceLocation) {
        let bytes = PackedChunk.encode(timestamps: samples.map(\.0), values: samples.map(\.1))
        let decoded = decode(bytes, count: samples.count)
        #expect(decoded.count == samples.count, sourceLocation: sourceLocation)
        for (expected, actual) in zip(samples, decoded) {
            #expect(expected.0 == actual.0, sourceLocation: sourceLocation)
            #expect(expected.1.bitPattern == actual.1, "value \(expected.1)", sourceLocation: sourceLocation)
        }
    }

    /// `count` samples 15 s apart with whole-number values.
    static func scrapes(_ count: Int, _ value: (Int) -> Int) -> [(Int64, Double)] {
        (0..<count).map { i in (Int64(i) * 15_000, Double(value(i))) }
    }

    static let wholeNumberCases: [(String, [(Int64, Double)])] = [
        ("constant counter", scrapes(120) { _ in 7 }),
        ("steady counter", scrapes(120) { $0 * 300 }),
        ("counter with reset", scrapes(120) { $0 < 60 ? $0 * 40 : ($0 - 60) * 3 }),
        ("gauge holding between jumps", scrapes(120) { 250_000_000 + ($0 / 4 % 3) * 4096 * 977 }),
        ("negative whole numbers", scrapes(50) { -1_000_000 + $0 * $0 * 13 }),
        ("limits of the exact range", [(0, 9_007_199_254_740_992), (1, -9_007_199_254_740_992), (2, 0), (3, 1)]),
        ("differences that overflow", [(0, 9.2e18), (1, -9.2e18), (2, 9.2e18)]),
        ("a fraction among whole numbers", [(0, 1), (15, 2), (30, 2.5), (45, 3)]),
        ("negative zero among whole numbers", [(0, 1), (15, -0.0), (30, 3)]),
        ("two samples", [(5, 10), (20, 12)]),
    ]

    @Test(arguments: ChunkEdgeCaseTests.cases.indices)
    func edgeCasesRoundTripBitExactly(index: Int) {
        Self.expectRoundTrip(ChunkEdgeCaseTests.cases[index].1)
    }

    @Test(arguments: wholeNumberCases.indices)
    func wholeNumberCasesRoundTripBitExactly(index: Int) {
        Self.expectRoundTrip(Self.wholeNumberCases[index].1)
    }

    @Test func randomChunksRoundTripBitExactly() {
        var rng = SplitMix(seed: 11)
        for round in 0..<2_000 {
            let count = 1 + Int(rng.next() % 130)
            var t = Int64(bitPattern: rng.next() % 2_000_000_000_000)
            let interval = Int64(rng.next() % 60_000)
            let jittery = rng.next() % 3 == 0
            var value = Double(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 64))
            let magnitude = UInt64(1) << (rng.next() % 40)
            var samples: [(Int64, Double)] = []
            for _ in 0..<count {
                samples.append((t, value))
                t &+= interval + (jittery ? Int64(rng.next() % 2_000) - 1_000 : 0)
                switch round % 5 {
                case 0: value += Double(rng.next() % magnitude)
                case 1: if rng.next() % 4 == 0 { value = Double(Int64(rng.next() % magnitude) - Int64(magnitude / 2)) }
                case 2: value = Double(bitPattern: rng.next())
                case 3: value += Double(rng.next() % 1000) / 7
                default: value = [0, -0.0, .nan, .infinity, StaleNaN.value, 1e300, 3][Int(rng.next() % 7)]
                }
            }
            let bytes = PackedChunk.encode(timestamps: samples.map(\.0), values: samples.map(\.1))
            let decoded = Self.decode(bytes, count: count)
            #expect(decoded.count == count)
            #expect(decoded.map(\.0) == samples.map(\.0))
            #expect(decoded.map(\.1) == samples.map(\.1.bitPattern))
        }
    }

    @Test func regularWholeNumberSamplesTakeFewerBytesThanXOR() throws {
        // A byte counter, 120 scrapes 15 s apart: Gorilla spends a bit per timestamp and a window
        // per value; the packed form stores the interval once and Rice-codes the increments.
        var rng = SplitMix(seed: 3)
        var xor = XORChunk()
        var value = 1e9
        for i in 0..<120 {
            value += Double(600_000 + rng.next() % 600_000)
            xor.append(1_700_000_000_000 + Int64(i) * 15_000, value)
        }
        let chunk = EncodedChunk(xor).smallest()
        #expect(chunk.encoding == .packed)
        #expect(chunk.bytes.count * 100 < xor.byteCount * 80, "packed \(chunk.bytes.count) bytes, XOR \(xor.byteCount)")
        var decoded: [Double] = []
        chunk.bytes.withUnsafeBytes { ChunkEncoding.packed.forEach(in: $0, count: 120) { decoded.append($1); return true } }
        var original: [Double] = []
        xor.forEach { original.append($1); return true }
        #expect(decoded == original)
    }

    @Test func fractionsWithJitteryTimestampsStayXOR() {
        var xor = XORChunk()
        var rng = SplitMix(seed: 5)
        for i in 0..<120 { xor.append(Int64(i) * 15_000 + Int64(rng.next() % 7), Double(rng.next() % 100_000) / 1000.7) }
        #expect(EncodedChunk(xor).smallest().encoding == .xor)
    }

    @Test func damagedBytesEndDecodingWithoutTrapping() {
        var rng = SplitMix(seed: 9)
        let jittery: [(Int64, Double)] = (0..<120).map { (i: Int) -> (Int64, Double) in
            let t = Int64(i) * 15_000 + Int64(i % 3)
            return (t, Double(i) / 3)
        }
        let sources: [[(Int64, Double)]] = [Self.scrapes(120) { $0 * $0 }, jittery, Self.scrapes(120) { $0 / 10 % 2 * 1_000_000 }]
        for samples in sources {
            let bytes = PackedChunk.encode(timestamps: samples.map(\.0), values: samples.map(\.1))
            for cut in 0...bytes.count {
                #expect(Self.decode(Array(bytes.prefix(cut)), count: 120).count <= 120)
            }
            for _ in 0..<300 {
                var damaged = bytes
                damaged[Int(rng.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                #expect(Self.decode(damaged, count: 120).count <= 120)
            }
        }
    }

    @Test func blocksOfTheFirstChunkFileVersionAreStillRead() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let blockDir = dir.url.appendingPathComponent(BlockID.make())
        try FileManager.default.createDirectory(at: blockDir.appendingPathComponent("chunks"), withIntermediateDirectories: true)
        var xor = XORChunk()
        for i in 0..<10 { xor.append(Int64(i) * 1000, Double(i) * 2) }
        var chunkFile = ChunkFileFormat.firstVersionMagic
        let ref = UInt64(chunkFile.count)
        ChunkRecord.encode(xor.bytes, into: &chunkFile)
        try writeFileAtomically(chunkFile, to: blockDir.appendingPathComponent("chunks").appendingPathComponent(ChunkFileFormat.fileName))
        let labels = StorageFixtures.labels("old_metric")
        var index = IndexWriter(allLabels: [labels])
        index.add(labels, chunks: [ChunkMeta(ref: ref, minTime: 0, maxTime: 9000, count: 10)])
        try writeFileAtomically(index.finish(), to: blockDir.appendingPathComponent("index"))
        let meta = BlockMeta(ulid: blockDir.lastPathComponent, minTime: 0, maxTime: 10_000,
                             stats: .init(numSamples: 10, numSeries: 1, numChunks: 1), compaction: .init(level: 1, sources: []))
        try writeFileAtomically(try meta.encoded(), to: blockDir.appendingPathComponent(BlockMeta.fileName))

        let block = try Block(directory: blockDir)
        let series = block.select([try LabelMatcher(.equal, "__name__", "old_metric")], mint: .min, maxt: .max)
        #expect(series.count == 1)
        #expect(series.first?.samples.map(\.value) == (0..<10).map { Double($0) * 2 })
    }
}
