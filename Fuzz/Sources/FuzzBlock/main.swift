import Foundation
import FuzzSupport
import Storage
import TimeSeriesCore

// Block reading over damaged files: a healthy block (meta.json, index, chunks) with bytes flipped
// or cut off as the input says, loaded by opening the database, checked and read.
let healthy: DamagedFiles = {
    let directory = DamagedFiles.scratchRoot.appendingPathComponent("surge-fuzz-block-source-\(getpid())")
    try? FileManager.default.removeItem(at: directory)
    var options = DatabaseOptions()
    options.futureWindow = nil
    let database = try! Database(directory: directory, options: options, logger: FuzzData.logger)
    for step in 0..<300 {
        let t = Int64(step) * 15_000
        _ = try! database.append((0..<6).map { pod in
            SeriesSamples(labels: Labels(["__name__": pod % 2 == 0 ? "requests_total" : "memory_bytes", "pod": "pod-\(pod)"]),
                          samples: [Sample(timestamp: t, value: pod % 2 == 0 ? Double(step * pod) : Double(step % 7) * 1.5)])
        })
    }
    _ = try! database.persistAll()
    database.close()
    let files = try! DamagedFiles(from: directory) { !$0.hasPrefix("wal/") && !$0.hasPrefix("chunks_head/") }
    try? FileManager.default.removeItem(at: directory)
    return files
}()
FuzzDriver.run(healthy.readDamagedCopy)
