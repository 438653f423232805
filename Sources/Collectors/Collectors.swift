/// Collectors owns what Surge measures by itself: node metrics from /proc under node_exporter's
/// names (Node/), and later container metrics from cgroups and application scrapes. Parsing is pure
/// (text in, samples out); reading files and scheduling live in the collector services.
public enum Collectors {}
