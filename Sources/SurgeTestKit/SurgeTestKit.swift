/// SurgeTestKit holds what Surge's tests share: temporary directories, free ports, child processes
/// (the `surge` binary, a real Prometheus) and small HTTP helpers. Later: in-memory storage, a mock
/// clock and the strict fake Kubernetes API server.
public enum SurgeTestKit {}
