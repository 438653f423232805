import ArgumentParser
import Foundation
import Scaling
import ScalingRuntime
import SurgeCLI
import TimeSeriesCore
import YAMLFiles

struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay a demand trace through a scaling policy, the Kubernetes HPA and an oracle, and compare them.",
        discussion: """
            The trace is CSV with timestamp,value rows; each value holds until the next row unless \
            --interpolate. The policy's metric is the demand divided among ready pods (or the whole demand \
            for Object, External and PromQL metrics); new pods are ready after --pod-startup, which is also \
            the forecast's pod start-up unless the policy gives podStartup. Baselines: the HPA with the \
            policy's metrics and target, the HPA at --baseline-target of pod capacity (minReplicas 1), both \
            with default behavior, a 15 s sync and 30 s old metrics; and an oracle with exactly enough ready \
            capacity at every step, each pod started one start-up ahead. \
            Threshold triggers' conditions are PromQL over simulated series: each Pods metric per pod \
            (NAME{namespace,pod}), container_cpu_usage_seconds_total, kube_pod_container_resource_requests, \
            kube_deployment_spec_replicas, kube_deployment_status_replicas_ready and surge_backtest_demand.
            """)

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(name: .long, help: "Demand trace, CSV: timestamp,value (RFC 3339 or Unix seconds).")
    var load: String

    @Option(name: .long, help: "Policy file (YAML); the first policy is used unless --name picks one.")
    var policy: String

    @Option(name: .long, help: "Which policy of the file to replay.")
    var name: String?

    @Option(name: .long, help: "Demand one ready pod serves at 100%.")
    var capacityPerPod: Double

    @Option(name: .long, help: "Time from a pod's creation to its readiness, e.g. 90s.")
    var podStartup: String

    @Option(name: .long, help: "Simulation step.")
    var step: String = "15s"

    @Option(name: .long, help: "Age of the metric values the policy decides on.")
    var metricLag: String = "15s"

    @Option(name: .long, help: "Scale the trace so that its peak is this demand (e.g. requests per second).")
    var peak: Double?

    @Option(name: .long, help: "The reference HPA's target, a percentage of pod capacity (70 or 70%).")
    var baselineTarget: String = "70%"

    @Flag(name: .long, help: "Interpolate demand linearly between trace points (by default each value holds until the next).")
    var interpolate = false

    @Option(name: [.short, .customLong("output")], help: "text or json.")
    var output: Output = .text

    @Option(name: .long, help: "Also report each variant's days short of capacity within this window of every day, UTC (e.g. 07:00-07:30 for a recurring morning ramp).")
    var dailyWindow: String?

    @Option(name: .long, help: "Simulate nodes too: pods each node holds (e.g. 8). The report adds pending-pod seconds and node-hours.")
    var podsPerNode: Int?

    @Option(name: .long, help: "With --pods-per-node: time from a node's creation to its readiness.")
    var nodeBoot = "3m"

    @Option(name: .long, help: "Write an SVG plot of demand, capacity and replicas here.")
    var plot: String?

    @Option(name: .long, help: "Write the per-step timeline CSV here.")
    var timeline: String?

    func run() async throws {
        let chosen = try choosePolicy(policy, name: name)
        let text: String
        do { text = try String(contentsOfFile: load, encoding: .utf8) } catch {
            throw CLIError("cannot read \(load): \(error.localizedDescription)")
        }
        var trace: DemandTrace
        do { trace = try DemandTrace.parse(text, path: load) } catch let error as PolicyFileError { throw CLIError(error.description) }
        if let peak { trace = trace.scaled(toPeak: peak) }
        guard capacityPerPod > 0 else { throw ValidationError("--capacity-per-pod must be positive") }
        guard let percent = Double(baselineTarget.hasSuffix("%") ? String(baselineTarget.dropLast()) : baselineTarget), percent > 0, percent <= 100 else {
            throw ValidationError("--baseline-target must be a percentage of pod capacity such as 70%")
        }
        if let podsPerNode, podsPerNode < 1 { throw ValidationError("--pods-per-node must be at least 1") }
        let nodes = try podsPerNode.map { NodeBacktestOptions(podsPerNode: $0, bootSeconds: try seconds(nodeBoot, "--node-boot")) }
        let options = BacktestOptions(capacityPerPod: capacityPerPod, podStartupSeconds: try seconds(podStartup, "--pod-startup"),
                                      stepSeconds: try seconds(step, "--step", minimum: 1), metricLagSeconds: try seconds(metricLag, "--metric-lag"),
                                      baselineTarget: percent / 100, interpolate: interpolate, nodes: nodes)
        var window: (start: Int, end: Int)?
        if let dailyWindow {
            guard let parsed = BacktestDailyWindow.parse(dailyWindow) else {
                throw ValidationError("--daily-window must be two UTC times such as 07:00-07:30")
            }
            window = parsed
        }
        let bar = ProgressBar(label: "backtest", enabled: (trace.times.last! - trace.times.first!) / options.stepSeconds > 20_000)
        let result = Backtest.run(trace: trace, policy: chosen, options: options,
                                  conditions: chosen.triggers.isEmpty ? nil : BacktestPromQLConditions()) { bar.update($0) }
        bar.finish()
        if let timeline {
            try BacktestReport.timelineCSV(result).write(toFile: timeline, atomically: true, encoding: .utf8)
        }
        if let plot {
            try BacktestPlot.svg(result, title: "\(chosen.name) on \((load as NSString).lastPathComponent)").write(toFile: plot, atomically: true, encoding: .utf8)
        }
        let traceName = (load as NSString).lastPathComponent
        let daily = window.map { BacktestDailyWindow(result, start: $0.start, end: $0.end) }
        print(output == .json ? try BacktestReport.json(result, policy: chosen, trace: traceName, window: daily)
              : BacktestReport.text(result, policy: chosen, trace: traceName, window: daily),
              terminator: "")
    }
}

/// The named policy of a file, or its first; errors carry the file and line.
func choosePolicy(_ path: String, name: String?) throws -> ScalingPolicy {
    let policies: [ScalingPolicy]
    do { policies = try PolicyLoader.load(path: path) } catch let error as PolicyFileError { throw CLIError(error.description) }
    if let name {
        guard let policy = policies.first(where: { $0.name == name }) else {
            throw CLIError("\(path) has no policy named \"\(name)\"; it has: \(policies.map(\.name).joined(separator: ", "))")
        }
        return policy
    }
    guard let policy = policies.first else { throw CLIError("\(path) has no policies") }
    return policy
}

func seconds(_ text: String, _ flag: String, minimum: Double = 0) throws -> Double {
    let value: Double? = Double(text) ?? parseDuration(text).map { Double($0) / 1000 }
    guard let value, value >= minimum else { throw ValidationError("\(flag) must be a duration such as 15s or 2m") }
    return value
}
