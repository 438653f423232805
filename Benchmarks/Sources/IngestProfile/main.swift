import Foundation
import Logging
import Storage
import SurgeCLI
import TimeSeriesCore
import WireFormat

/// Decodes and appends pre-encoded remote-write requests the way `POST /api/v1/write` does, on one
/// thread and without the HTTP server, so an instruction profile shows the ingestion path alone:
///
///     valgrind --tool=callgrind IngestProfile [series] [steps]
let arguments = CommandLine.arguments
let seriesCount = arguments.count > 1 ? Int(arguments[1]) ?? 10_000 : 10_000
let steps = arguments.count > 2 ? Int(arguments[2]) ?? 10 : 10
let profile = LoadProfile(series: seriesCount)
let start: Int64 = 1_790_000_000_000
var bodies: [[UInt8]] = []
for first in stride(from: 0, to: seriesCount, by: 2_000) {
    let members = Array(first..<min(first + 2_000, seriesCount))
    var template = RemoteWriteTemplate(series: members.map(profile.labels), timestampWidthOf: start)
    for step in 0..<steps {
        for (position, member) in members.enumerated() {
            template.set(position, timestamp: start + Int64(step) * 15_000, value: profile.value(member, step: step, interval: 15))
        }
        bodies.append(template.compressed())
    }
}
// Send in time order: every series' step 0, then step 1, ...
let perGroup = steps
let groups = bodies.count / perGroup
let ordered = (0..<steps).flatMap { step in (0..<groups).map { bodies[$0 * perGroup + step] } }

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("surge-ingest-profile-\(getpid())")
let database = try Database(directory: directory, logger: Logger(label: "profile"))
let decoder = RemoteWriteDecoder()
var appended = 0
var steadySamples = 0
var decodeTime = Duration.zero
var appendTime = Duration.zero
let clock = ContinuousClock()
for (number, body) in ordered.enumerated() {
    // The first step creates every series; later steps are the steady state timed here.
    let steady = number >= groups
    let began = clock.now
    let decoded = try body.withUnsafeBytes { try decoder.decode(compressed: $0, version: .v1) }
    let decodedAt = clock.now
    let count = try database.append(decoded.batch).samplesAppended
    appended += count
    if steady {
        decodeTime += decodedAt - began
        appendTime += clock.now - decodedAt
        steadySamples += count
    }
}
database.close()
try? FileManager.default.removeItem(at: directory)
func nanosecondsPerSample(_ duration: Duration, samples: Int) -> String {
    let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    return String(format: "%.0f", seconds * 1e9 / Double(max(samples, 1)))
}
print("appended \(appended) samples from \(ordered.count) requests; after the first step, ns per sample: decode \(nanosecondsPerSample(decodeTime, samples: steadySamples)), append \(nanosecondsPerSample(appendTime, samples: steadySamples))")
