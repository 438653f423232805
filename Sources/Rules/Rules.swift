/// Rules owns Prometheus rule files and what evaluating them means: the groups and rules a file
/// holds (read with file:line errors, validated as promtool validates them), the alert lifecycle
/// of an alerting rule (inactive → pending → firing → resolved, `for`, `keep_firing_for`, `limit`)
/// with the `ALERTS` and `ALERTS_FOR_STATE` series it writes, the series a recording rule writes,
/// and when a group evaluates, all values in and values out (queries come in as results, clocks as
/// timestamps); and `RulesService`, which runs the groups' loops through the query seam and writes
/// their output back.
public enum Rules {}
