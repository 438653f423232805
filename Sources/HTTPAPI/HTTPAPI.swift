/// HTTPAPI owns Surge's HTTP surface: remote-write ingestion, the Prometheus query API, Surge's own
/// /metrics and the health endpoints. Routes reach storage only through TimeSeriesCore's seams and
/// queries only through PromQL.
public enum HTTPAPI {}
