/// Scaling owns Surge's replica decisions as pure functions with no I/O: the Kubernetes HPA
/// controller's replica calculator (utilization from requests, unready and missing pods, tolerance),
/// its normalization (stabilization windows, scale rate policies, min/max) and conditions.
/// Callers bring the workload's pods, metric values and history; nothing here reads a clock.
public enum Scaling {}
