import ArgumentParser
import Foundation
import SurgeCLI

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load generators for testing a Surge (or any remote-write receiver).",
        subcommands: [RemoteWrite.self, Collect.self])

    struct RemoteWrite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remote-write",
            abstract: "Send a realistic cAdvisor / kube-state-metrics workload by remote-write and report samples per second.",
            discussion: """
                Series get cAdvisor and kube-state style labels; counters grow and gauges wander. The samples \
                span --duration up to now, one every --interval. Every request is encoded before sending starts, \
                so the generator does not limit the receiver. Works against Surge, Prometheus \
                (--web.enable-remote-write-receiver) and VictoriaMetrics.
                """)

        @Option(help: "Remote-write endpoint.")
        var url: String

        @OptionGroup var http: HTTPClientOptions

        @Option(help: "Active series.")
        var series = 100_000

        @Option(help: "Interval between samples of a series (e.g. 15s).")
        var interval = "15s"

        @Option(help: "Span of the samples, ending now (e.g. 2h).")
        var duration = "2h"

        @Option(help: "Concurrent senders; each owns a share of the series.")
        var concurrency = 4

        @Option(help: "Series (samples) per request.")
        var batch = 2_000

        @Option(help: "Newest sample time in Unix milliseconds (default: now, rounded down to the interval).")
        var end: Int64?

        @Flag(help: "Print one JSON object instead of text.")
        var json = false

        func run() async throws {
            guard let intervalMs = BenchDuration.parse(interval), intervalMs > 0 else { throw ValidationError("--interval: expected a duration such as 15s") }
            guard let durationMs = BenchDuration.parse(duration), durationMs >= intervalMs else { throw ValidationError("--duration: expected a duration of at least --interval") }
            guard series > 0, concurrency > 0, batch > 0 else { throw ValidationError("--series, --concurrency and --batch must be positive") }
            var load = RemoteWriteLoad(url: url)
            load.settings = try http.settings()
            load.series = series
            load.intervalMilliseconds = intervalMs
            load.durationMilliseconds = durationMs
            load.concurrency = concurrency
            load.batch = batch
            load.end = end
            let result = try await load.run { message in
                FileHandle.standardError.write(Data((message + "\n").utf8))
            }
            let errors = result.errorsByStatus.sorted { $0.key < $1.key }
            if json {
                let errorJSON = errors.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
                print("{\"samples_sent\":\(result.samplesSent),\"requests\":\(result.requests),\"seconds\":\(result.seconds),"
                      + "\"samples_per_second\":\(result.samplesPerSecond),\"errors\":{\(errorJSON)}}")
            } else {
                print("samples sent:    \(result.samplesSent)")
                print("requests:        \(result.requests)")
                print("errors:          \(errors.isEmpty ? "none" : errors.map { "\($0.key): \($0.value)" }.joined(separator: ", "))")
                print("seconds:         \(String(format: "%.2f", result.seconds))")
                print("samples/s:       \(String(format: "%.0f", result.samplesPerSecond))")
            }
        }
    }
}
