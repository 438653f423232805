/// /proc/net/dev: `node_network_{receive,transmit}_<field>_total{device}` for every interface but the
/// loopback, which Debian's node_exporter leaves out by default (`--collector.netdev.device-exclude="^lo$"`).
enum NetDev {
    static let receive = ["bytes", "packets", "errs", "drop", "fifo", "frame", "compressed", "multicast"]
    static let transmit = ["bytes", "packets", "errs", "drop", "fifo", "colls", "carrier", "compressed"]

    static func parse(_ text: String) -> [CollectedSample] {
        var out: [CollectedSample] = []
        for (device, numbers) in interfaces(text) where device != "lo" {
            for (index, field) in receive.enumerated() {
                out.append(CollectedSample("node_network_receive_\(field)_total", [("device", device)], numbers[index]))
            }
            for (index, field) in transmit.enumerated() {
                out.append(CollectedSample("node_network_transmit_\(field)_total", [("device", device)], numbers[8 + index]))
            }
        }
        return out
    }

    /// Each interface with its 16 counters: 8 receive columns, then 8 transmit columns.
    static func interfaces(_ text: String) -> [(device: String, counters: [Double])] {
        // Two header lines, then "  eth0: 1234 5 ..." per interface.
        text.split(separator: "\n").dropFirst(2).compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let device = line[..<colon].trimmingCharacters(in: " ")
            let numbers = line[line.index(after: colon)...].split(separator: " ").compactMap { Double($0) }
            return numbers.count >= 16 ? (device, numbers) : nil
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
