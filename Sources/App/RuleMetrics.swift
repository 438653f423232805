import Prometheus
import Rules

/// `surge_rule_*` on /metrics, in the shape of Prometheus' `prometheus_rule_*`: per group (labelled
/// `rule_group="FILE;NAME"` as Prometheus labels it) its evaluations and failures since start,
/// rounds and missed rounds, last duration and time, interval and rule count.
struct RuleMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    func publish(_ groups: [RuleStatusBoard.Entry]) {
        for entry in groups {
            let group = entry.evaluation.group
            let labels = [("rule_group", group.file + ";" + group.name)]
            func gauge(_ name: String, _ help: String, _ value: Double) {
                registry.makeGauge(name: name, labels: labels, help: help).set(value)
            }
            gauge("surge_rule_evaluations", "Rule evaluations since start.", Double(entry.ruleEvaluations))
            gauge("surge_rule_evaluation_failures", "Rule evaluations that failed since start.", Double(entry.ruleFailures))
            gauge("surge_rule_group_iterations", "Rounds of the group since start.", Double(entry.iterations))
            gauge("surge_rule_group_iterations_missed", "Rounds skipped because the one before ended too late.", Double(entry.missedIterations))
            gauge("surge_rule_group_interval_seconds", "The group's interval.", Double(entry.evaluation.interval) / 1000)
            gauge("surge_rule_group_rules", "Rules in the group.", Double(group.rules.count))
            gauge("surge_rule_group_last_duration_seconds", "How long the group's last round took.",
                  entry.lastDuration.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? 0)
            gauge("surge_rule_group_last_evaluation_timestamp_seconds", "Evaluation time of the group's last round.",
                  entry.lastEvaluation.map { Double($0) / 1000 } ?? 0)
        }
    }
}
