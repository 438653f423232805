import ArgumentParser
import Collectors
import Foundation

extension Bench {
    struct Collect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "collect",
            abstract: "Run the built-in collectors repeatedly and print their CPU time per round.",
            discussion: "Measures what collection costs on this machine; bench/node-collector puts it beside node_exporter's.")

        @Option(help: "Rounds to run.")
        var rounds = 200

        @Flag(help: "Also walk the cgroup hierarchy each round.")
        var cgroups = false

        func run() throws {
            let sources: [any SampleSource] = [NodeCollector()] + (cgroups ? [CgroupCollector()] : [])
            var samples = 0
            let before = Self.cpuSeconds()
            for _ in 0..<rounds {
                samples = 0
                for source in sources { samples += source.collect().samples.count }
            }
            let perRound = (Self.cpuSeconds() - before) / Double(rounds)
            print(String(format: "rounds %d, samples per round %d, CPU per round %.3f ms", rounds, samples, perRound * 1000))
        }

        /// User plus system CPU time of this process so far.
        static func cpuSeconds() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
            return seconds(usage.ru_utime) + seconds(usage.ru_stime)
        }
    }
}
