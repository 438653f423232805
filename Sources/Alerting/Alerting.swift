/// Alerting owns what happens to alerts after a rule produced them: their identity (Alertmanager's
/// fingerprint), grouping into notifications as Alertmanager groups them (`group_by`, `group_wait`,
/// `group_interval`, `repeat_interval`) and the webhook message (Alertmanager's webhook format,
/// version 4). All of it is values in, values out; delivery is a later part.
public enum Alerting {}
