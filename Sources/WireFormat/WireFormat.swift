/// WireFormat owns the bytes Surge exchanges with its peers: snappy block compression and the
/// Prometheus remote-write 1.0 and 2.0 protobuf messages, decoded with libprotobuf-c into
/// TimeSeriesCore's vocabulary and validated as Prometheus requires.
public enum WireFormat {}
