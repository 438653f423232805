import Foundation
import Logging
import Storage
import TimeSeriesCore

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// Runs libFuzzer with `body` as the target: each input is given as bytes; a crash, a trap or an
/// address error is a finding, everything else (thrown errors included) is a pass.
public enum FuzzDriver {
    nonisolated(unsafe) static var body: ([UInt8]) -> Void = { _ in }

    public static func run(_ body: @escaping ([UInt8]) -> Void) -> Never {
        self.body = body
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv, fuzzOneInput))
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzDriver.body(start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
    return 0
}

/// Reads an input front to back: choices, numbers and the text that is left.
public struct FuzzInput {
    var bytes: [UInt8]
    var position = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    public mutating func uint32() -> UInt32 {
        (0..<4).reduce(UInt32(0)) { value, _ in value << 8 | UInt32(byte()) }
    }

    public var rest: [UInt8] { position < bytes.count ? Array(bytes[position...]) : [] }
    public var restText: String { String(decoding: rest, as: UTF8.self) }
}

/// A small database for the targets that query: a few series of counters and gauges with the
/// labels PromQL tests use, over an hour at 15 s, part in a block and part in the head.
public enum FuzzData {
    public static let logger = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }
    public static let end: Timestamp = 1_700_003_600_000
    public static let start: Timestamp = end - 3_600_000

    public static let database: Database = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("surge-fuzz-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        var options = DatabaseOptions()
        options.futureWindow = nil
        options.retentionTime = nil
        let database = try! Database(directory: directory, options: options, logger: logger)
        var batch: [SeriesSamples] = []
        for (index, name) in ["http_requests_total", "process_cpu_seconds_total", "memory_bytes", "up"].enumerated() {
            for pod in 0..<3 {
                let labels = Labels(["__name__": name, "job": pod == 2 ? "db" : "api", "pod": "pod-\(pod)", "instance": "10.0.0.\(pod):9100"])
                let samples = stride(from: start, through: end, by: 15_000).enumerated().map { step, t in
                    Sample(timestamp: t, value: name == "up" ? 1 : Double(step * (index + 1) * (pod + 1)))
                }
                batch.append(SeriesSamples(labels: labels, samples: samples))
            }
        }
        _ = try! database.append(batch)
        _ = try! database.persistAll()
        _ = try! database.append(batch.map { SeriesSamples(labels: $0.labels, samples: [Sample(timestamp: end + 15_000, value: 7)]) })
        return database
    }()
}
