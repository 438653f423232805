/// /proc/diskstats under node_exporter's names and units (sectors of 512 bytes, milliseconds as
/// seconds), skipping partitions, RAM, loop and floppy devices as node_exporter does by default.
enum DiskStats {
    static let sectorBytes = 512.0

    /// Column (after major, minor and name), metric name and scale.
    static let columns: [(Int, String, Double)] = [
        (0, "node_disk_reads_completed_total", 1), (1, "node_disk_reads_merged_total", 1),
        (2, "node_disk_read_bytes_total", sectorBytes), (3, "node_disk_read_time_seconds_total", 0.001),
        (4, "node_disk_writes_completed_total", 1), (5, "node_disk_writes_merged_total", 1),
        (6, "node_disk_written_bytes_total", sectorBytes), (7, "node_disk_write_time_seconds_total", 0.001),
        (8, "node_disk_io_now", 1), (9, "node_disk_io_time_seconds_total", 0.001),
        (10, "node_disk_io_time_weighted_seconds_total", 0.001),
        (11, "node_disk_discards_completed_total", 1), (12, "node_disk_discards_merged_total", 1),
        (13, "node_disk_discarded_sectors_total", 1), (14, "node_disk_discard_time_seconds_total", 0.001),
        (15, "node_disk_flush_requests_total", 1), (16, "node_disk_flush_requests_time_seconds_total", 0.001),
    ]

    /// node_exporter's default `--collector.diskstats.device-exclude`:
    /// `^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$`.
    static func isExcluded(_ device: String) -> Bool {
        let bytes = Array(device.utf8)
        var digitsStart = bytes.count
        while digitsStart > 0 && bytes[digitsStart - 1] >= 48 && bytes[digitsStart - 1] <= 57 { digitsStart -= 1 }
        guard digitsStart < bytes.count else { return false }
        let stem = String(decoding: bytes[..<digitsStart], as: UTF8.self)
        if ["ram", "loop", "fd"].contains(stem) { return true }
        let letters = Array(stem)
        if letters.count == 3 || letters.count == 4, letters.last!.isLowercase, letters.last!.isASCII {
            let prefix = String(letters.dropLast())
            if ["hd", "sd", "vd", "xvd"].contains(prefix) { return true }
        }
        // nvme<digits>n<digits>p
        if stem.hasPrefix("nvme") && stem.hasSuffix("p") {
            let middle = stem.dropFirst(4).dropLast()
            let parts = middle.split(separator: "n", omittingEmptySubsequences: false)
            return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
        }
        return false
    }

    static func parse(_ text: String) -> [CollectedSample] {
        var out: [CollectedSample] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 14 else { continue }
            let device = String(fields[2])
            guard !isExcluded(device) else { continue }
            let numbers = fields.dropFirst(3).compactMap { Double($0) }
            for (column, name, scale) in columns where column < numbers.count {
                out.append(CollectedSample(name, [("device", device)], numbers[column] * scale))
            }
        }
        return out
    }
}
