import Prometheus
import Rules
import ScalingRuntime

/// `surge_rule_*` on /metrics, in the shape of Prometheus' `prometheus_rule_*`: per group (labelled
/// `rule_group="FILE;NAME"` as Prometheus labels it) its evaluations and failures since start (counters),
/// rounds and missed rounds, last duration and time, interval and rule count.
struct RuleMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let counters: CounterTotals

    func publish(_ groups: [RuleStatusBoard.Entry]) {
        for entry in groups {
            let group = entry.evaluation.group
            let labels = [("rule_group", group.file + ";" + group.name)]
            func gauge(_ name: String, _ help: String, _ value: Double) {
                registry.makeGauge(name: name, labels: labels, help: help).set(value)
            }
            counters.set("surge_rule_evaluations_total", labels: labels, help: "Rule evaluations since start.", to: entry.ruleEvaluations)
            counters.set("surge_rule_evaluation_failures_total", labels: labels, help: "Rule evaluations that failed since start.", to: entry.ruleFailures)
            counters.set("surge_rule_group_iterations_total", labels: labels, help: "Rounds of the group since start.", to: entry.iterations)
            counters.set("surge_rule_group_iterations_missed_total", labels: labels, help: "Rounds skipped because the one before ended too late.",
                         to: entry.missedIterations)
            gauge("surge_rule_group_interval_seconds", "The group's interval.", Double(entry.evaluation.interval) / 1000)
            gauge("surge_rule_group_rules", "Rules in the group.", Double(group.rules.count))
            gauge("surge_rule_group_last_duration_seconds", "How long the group's last round took.",
                  entry.lastDuration.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? 0)
            gauge("surge_rule_group_last_evaluation_timestamp_seconds", "Evaluation time of the group's last round.",
                  entry.lastEvaluation.map { Double($0) / 1000 } ?? 0)
        }
    }
}
