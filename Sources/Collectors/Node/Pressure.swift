/// /proc/pressure/{cpu,io,memory}: total stall time in microseconds, as node_exporter's
/// `node_pressure_<resource>_waiting_seconds_total` ("some") and `..._stalled_seconds_total` ("full";
/// not reported for cpu).
enum Pressure {
    static func parse(_ text: String, resource: String) -> [CollectedSample] {
        var out: [CollectedSample] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let kind = fields.first,
                  let total = fields.first(where: { $0.hasPrefix("total=") }).flatMap({ Double($0.dropFirst(6)) }) else { continue }
            switch kind {
            case "some": out.append(CollectedSample("node_pressure_\(resource)_waiting_seconds_total", [], total / 1e6))
            case "full" where resource != "cpu": out.append(CollectedSample("node_pressure_\(resource)_stalled_seconds_total", [], total / 1e6))
            default: break
            }
        }
        return out
    }
}
