import Foundation

/// The kernel's counter files under node_exporter's names and default filters: /proc/vmstat,
/// /proc/net/{netstat,snmp,snmp6}, /proc/net/sockstat{,6}, /proc/sys/fs/file-nr and the entropy pool.
enum KernelStatistics {
    /// node_exporter's default `--collector.vmstat.fields`: page-ins and -outs, swap-ins and -outs,
    /// page faults and OOM kills.
    static func vmstat(_ text: String) -> [CollectedSample] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 2, let value = Double(fields[1]) else { return nil }
            let key = fields[0]
            let kept = key.hasPrefix("oom_kill") || key.hasPrefix("pgpg") || key.hasPrefix("pswp")
                || key.hasPrefix("pg") && key.dropFirst(2).contains("fault")
            return kept ? CollectedSample("node_vmstat_\(key)", [], value) : nil
        }
    }

    /// /proc/net/netstat and /proc/net/snmp: pairs of lines, `Proto: names...` then `Proto: values...`.
    static func netstatPairs(_ text: String) -> [CollectedSample] {
        let lines = text.split(separator: "\n")
        var out: [CollectedSample] = []
        var index = 0
        while index + 1 < lines.count {
            let names = lines[index].split(separator: " "), values = lines[index + 1].split(separator: " ")
            index += 2
            guard names.count == values.count, let protocolField = names.first, protocolField.hasSuffix(":") else { continue }
            let proto = protocolField.dropLast()
            for (name, value) in zip(names.dropFirst(), values.dropFirst()) {
                let key = "\(proto)_\(name)"
                if let number = Double(value), netstatKept(key) { out.append(CollectedSample("node_netstat_" + key, [], number)) }
            }
        }
        return out
    }

    /// /proc/net/snmp6: `Ip6InOctets   768`, the protocol being the name up to its "6".
    static func snmp6(_ text: String) -> [CollectedSample] {
        text.split(separator: "\n").compactMap { line -> CollectedSample? in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 2, let value = Double(fields[1]), let six = fields[0].firstIndex(of: "6") else { return nil }
            let key = String(fields[0][...six]) + "_" + String(fields[0][fields[0].index(after: six)...])
            return netstatKept(key) ? CollectedSample("node_netstat_" + key, [], value) : nil
        }
    }

    /// node_exporter's default `--collector.netstat.fields`.
    static func netstatKept(_ key: String) -> Bool {
        let parts = key.split(separator: "_", maxSplits: 1)
        guard parts.count == 2 else { return false }
        let (proto, field) = (parts[0], parts[1])
        if field == "InErrors" || field == "InErrs" { return true }
        switch proto {
        case "Ip": return field == "Forwarding"
        case "Ip6", "IpExt": return field == "InOctets" || field == "OutOctets"
        case "Icmp", "Icmp6": return field == "InMsgs" || field == "OutMsgs"
        case "TcpExt": return field.hasPrefix("Listen") || field.hasPrefix("Syncookies") || field == "TCPSynRetrans" || field == "TCPTimeouts"
        case "Tcp": return ["ActiveOpens", "InSegs", "OutSegs", "OutRsts", "PassiveOpens", "RetransSegs", "CurrEstab"].contains(field)
        case "Udp", "Udp6": return ["InDatagrams", "OutDatagrams", "NoPorts", "RcvbufErrors", "SndbufErrors"].contains(field)
        default: return false
        }
    }

    /// /proc/net/sockstat and sockstat6: `TCP: inuse 1 orphan 0 tw 1 alloc 1 mem 0`; `mem` is in
    /// pages and is also given in bytes, as node_exporter does.
    static func sockstat(_ text: String, pageSize: Double) -> [CollectedSample] {
        var out: [CollectedSample] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let first = fields.first, first.hasSuffix(":"), fields.count % 2 == 1 else { continue }
            let proto = first.dropLast()
            for pair in stride(from: 1, to: fields.count, by: 2) {
                guard let value = Double(fields[pair + 1]) else { continue }
                if proto == "sockets" && fields[pair] == "used" {
                    out.append(CollectedSample("node_sockstat_sockets_used", [], value))
                    continue
                }
                out.append(CollectedSample("node_sockstat_\(proto)_\(fields[pair])", [], value))
                if fields[pair] == "mem" { out.append(CollectedSample("node_sockstat_\(proto)_mem_bytes", [], value * pageSize)) }
            }
        }
        return out
    }

    /// /proc/sys/fs/file-nr: allocated, unused (always 0 since Linux 2.6), maximum.
    static func filefd(_ text: String) -> [CollectedSample] {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Double($0) }
        guard fields.count == 3 else { return [] }
        return [CollectedSample("node_filefd_allocated", [], fields[0]), CollectedSample("node_filefd_maximum", [], fields[2])]
    }

    static func single(_ name: String) -> (String) -> [CollectedSample] {
        { text in Double(text.trimmingCharacters(in: .whitespacesAndNewlines)).map { [CollectedSample(name, [], $0)] } ?? [] }
    }
}
