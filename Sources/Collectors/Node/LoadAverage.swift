/// /proc/loadavg: `node_load1`, `node_load5`, `node_load15`.
enum LoadAverage {
    static func parse(_ text: String) -> [CollectedSample] {
        let fields = text.split(separator: " ")
        guard fields.count >= 3 else { return [] }
        return zip(["node_load1", "node_load5", "node_load15"], fields).compactMap { name, field in
            Double(field).map { CollectedSample(name, [], $0) }
        }
    }
}
