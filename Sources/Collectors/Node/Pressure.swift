/// Pressure stall files (/proc/pressure/* and a cgroup's *.pressure): the `total=` microseconds of the
/// "some" and "full" lines, in seconds.
enum Pressure {
    static func totals(_ text: String?) -> (some: Double?, full: Double?) {
        var some: Double?, full: Double?
        for line in (text ?? "").split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let total = fields.first(where: { $0.hasPrefix("total=") }).flatMap({ Double($0.dropFirst(6)) }) else { continue }
            if fields.first == "some" { some = total / 1e6 }
            if fields.first == "full" { full = total / 1e6 }
        }
        return (some, full)
    }

    /// node_exporter's `node_pressure_<resource>_waiting_seconds_total` ("some") and
    /// `..._stalled_seconds_total` ("full"; not reported for cpu).
    static func parse(_ text: String, resource: String) -> [CollectedSample] {
        let (some, full) = totals(text)
        var out: [CollectedSample] = []
        if let some { out.append(CollectedSample("node_pressure_\(resource)_waiting_seconds_total", [], some)) }
        if let full, resource != "cpu" { out.append(CollectedSample("node_pressure_\(resource)_stalled_seconds_total", [], full)) }
        return out
    }
}
