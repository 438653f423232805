/// /proc/meminfo as node_exporter names it: `node_memory_<Field>_bytes` for fields in kB (times
/// 1024), `node_memory_<Field>` for counts, with `Active(anon)` becoming `Active_anon`.
enum Meminfo {
    static func parse(_ text: String) -> [CollectedSample] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, fields[0].hasSuffix(":"), let number = Double(fields[1]) else { return nil }
            var key = String(fields[0].dropLast())
            if let open = key.firstIndex(of: "("), key.hasSuffix(")") {
                key = key[..<open] + "_" + key[key.index(after: open)..<key.index(before: key.endIndex)]
            }
            if fields.count == 3 && fields[2] == "kB" {
                return CollectedSample("node_memory_\(key)_bytes", [], number * 1024)
            }
            return CollectedSample("node_memory_\(key)", [], number)
        }
    }
}
