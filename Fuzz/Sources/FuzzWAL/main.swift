import Foundation
import FuzzSupport
import Storage
import TimeSeriesCore

// WAL replay over damaged segments: a healthy WAL (series, samples, a checkpoint) with bytes
// flipped or cut off as the input says, replayed by opening the database, then read.
let healthy: DamagedFiles = {
    let directory = DamagedFiles.scratchRoot.appendingPathComponent("surge-fuzz-wal-source-\(getpid())")
    try? FileManager.default.removeItem(at: directory)
    var options = DatabaseOptions()
    options.futureWindow = nil
    options.blockRange = 600_000
    let database = try! Database(directory: directory, options: options, logger: FuzzData.logger)
    for step in 0..<200 {
        let t = Int64(step) * 15_000
        _ = try! database.append((0..<4).map { pod in
            SeriesSamples(labels: Labels(["__name__": "requests_total", "pod": "pod-\(pod)"]), samples: [Sample(timestamp: t, value: Double(step * pod))])
        })
        if step == 120 { _ = try! database.maintain() }
    }
    database.close()
    let files = try! DamagedFiles(from: directory) { $0.hasPrefix("wal/") }
    try? FileManager.default.removeItem(at: directory)
    return files
}()
FuzzDriver.run(healthy.readDamagedCopy)
