/// /proc/net/dev: `node_network_{receive,transmit}_<field>_total{device}` for every interface but the
/// loopback, which Debian's node_exporter leaves out by default (`--collector.netdev.device-exclude="^lo$"`).
enum NetDev {
    static let receive = ["bytes", "packets", "errs", "drop", "fifo", "frame", "compressed", "multicast"]
    static let transmit = ["bytes", "packets", "errs", "drop", "fifo", "colls", "carrier", "compressed"]

    static func parse(_ text: String) -> [CollectedSample] {
        var out: [CollectedSample] = []
        // Two header lines, then "  eth0: 1234 5 ..." per interface.
        for line in text.split(separator: "\n").dropFirst(2) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let device = line[..<colon].trimmingCharacters(in: " ")
            guard device != "lo" else { continue }
            let numbers = line[line.index(after: colon)...].split(separator: " ").compactMap { Double($0) }
            guard numbers.count >= 16 else { continue }
            for (index, field) in receive.enumerated() {
                out.append(CollectedSample("node_network_receive_\(field)_total", [("device", device)], numbers[index]))
            }
            for (index, field) in transmit.enumerated() {
                out.append(CollectedSample("node_network_transmit_\(field)_total", [("device", device)], numbers[8 + index]))
            }
        }
        return out
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
