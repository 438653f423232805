import Benchmark
import Foundation
import Logging
import Storage
import SurgeCLI
import TimeSeriesCore
import WireFormat

/// Chunk encoding and decoding per sample, head append and remote-write decoding per request.
/// Run with `swift package --package-path Benchmarks benchmark`.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
                                           maxDuration: .seconds(5), maxIterations: 1_000_000)
    let profile = LoadProfile(series: 2_000)
    let start: Int64 = 1_790_000_000_000
    // A counter and a gauge as cAdvisor exposes them, every 15 s.
    let samples: [(Int64, Double)] = (0..<XORChunk.targetSamples).map { i in
        (start + Int64(i) * 15_000 + Int64(i % 3), profile.value(i % 2 == 0 ? 0 : 2, step: i, interval: 15))
    }

    Benchmark("XORChunk encode (per sample)", configuration: .init(scalingFactor: .one)) { benchmark in
        var chunk = XORChunk()
        for i in benchmark.scaledIterations {
            if chunk.isFull { chunk = XORChunk() }
            let (t, v) = samples[i % samples.count]
            chunk.append(t + Int64(i / samples.count) * 1_800_000, v)
        }
        blackHole(chunk.count)
    }

    /// Decoding 120 samples of a chunk, summing their values so nothing is optimized away.
    func decodeBenchmark(_ name: String, _ samples: [(Int64, Double)]) {
        var full = XORChunk()
        for (t, v) in samples { full.append(t, v) }
        let chunk = full
        Benchmark(name) { benchmark in
            for _ in benchmark.scaledIterations {
                var sum = 0.0
                chunk.forEach { _, v in
                    sum += v
                    return true
                }
                blackHole(sum)
            }
        }
    }
    decodeBenchmark("XORChunk decode (120 samples)", samples)

    // Blocks keep chunks packed: a byte counter scraped every 15 s, the form most series take there.
    let counter = (0..<XORChunk.targetSamples).map { i in (start + Int64(i) * 15_000, profile.value(4, step: i, interval: 15)) }
    Benchmark("PackedChunk encode (120 samples)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(PackedChunk.encode(timestamps: counter.map(\.0), values: counter.map(\.1)).count)
        }
    }
    let packed = PackedChunk.encode(timestamps: counter.map(\.0), values: counter.map(\.1))
    Benchmark("PackedChunk decode (120 samples)") { benchmark in
        for _ in benchmark.scaledIterations {
            var sum = 0.0
            packed.withUnsafeBytes { bytes in
                PackedChunk.forEach(in: bytes, count: counter.count) { _, v in
                    sum += v
                    return true
                }
            }
            blackHole(sum)
        }
    }
    decodeBenchmark("XORChunk decode (the same 120 counter samples)", counter)

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("surge-bench-\(getpid())")
    let database = try! Database(directory: directory, logger: Logger(label: "bench"))
    var step = 0
    func batch(_ step: Int) -> WriteBatch {
        var batch = WriteBatch(reservingSeries: 2_000, samples: 2_000, bytes: 400_000)
        for series in 0..<2_000 {
            for label in profile.labels(series) { batch.appendLabel(name: label.name, value: label.value) }
            batch.appendSample(Sample(timestamp: start + Int64(step) * 15_000, value: profile.value(series, step: step, interval: 15)))
            batch.endSeries()
        }
        return batch
    }
    _ = try! database.append(batch(0))
    // Every append needs newer timestamps, so each iteration gets its own batch, built beforehand.
    let batches = (1...400).map(batch)
    Benchmark("Head append (2,000 known series, 1 sample each)", configuration: .init(maxIterations: batches.count)) { benchmark in
        for _ in benchmark.scaledIterations {
            guard step < batches.count else { return }
            step += 1
            blackHole(try database.append(batches[step - 1]))
        }
    } teardown: {
        database.close()
        try? FileManager.default.removeItem(at: directory)
    }

    var template = RemoteWriteTemplate(series: (0..<2_000).map(profile.labels), timestampWidthOf: start)
    for series in 0..<2_000 { template.set(series, timestamp: start, value: profile.value(series, step: 0, interval: 15)) }
    let body = template.compressed()
    let decoder = RemoteWriteDecoder()
    Benchmark("Remote-write decode (2,000 series, snappy + protobuf)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try body.withUnsafeBytes { try decoder.decode(compressed: $0, version: .v1) }.sampleCount)
        }
    }
}
