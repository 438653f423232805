import Foundation

/// What the node is: uname(2), the clock and its source, and /etc/os-release, under node_exporter's
/// names (`node_uname_info`, `node_time_*`, `node_os_info`, `node_os_version`).
enum SystemInfo {
    static func uname() -> [CollectedSample] {
        var names = utsname()
        guard Glibc.uname(&names) == 0 else { return [] }
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return [CollectedSample("node_uname_info", [
            ("sysname", field(names.sysname)), ("release", field(names.release)), ("version", field(names.version)),
            ("machine", field(names.machine)), ("nodename", field(names.nodename)), ("domainname", field(names.__domainname)),
        ], 1)]
    }

    /// The wall clock, the zone's offset as the C library knows it, and the clock sources the
    /// kernel offers (`<sys>/devices/system/clocksource/clocksourceN`).
    static func time(now: Date, sysRoot: String) -> [CollectedSample] {
        var out = [CollectedSample("node_time_seconds", [], now.timeIntervalSince1970)]
        var seconds = time_t(now.timeIntervalSince1970), parts = tm()
        if localtime_r(&seconds, &parts) != nil {
            let zone = parts.tm_zone.map { String(cString: $0) } ?? ""
            out.append(CollectedSample("node_time_zone_offset_seconds", [("time_zone", zone)], Double(parts.tm_gmtoff)))
        }
        let directory = sysRoot + "/devices/system/clocksource"
        for entry in ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted() where entry.hasPrefix("clocksource") {
            let device = String(entry.dropFirst("clocksource".count))
            guard Int(device) != nil else { continue }
            func words(_ file: String) -> [Substring] {
                ((try? String(contentsOfFile: "\(directory)/\(entry)/\(file)", encoding: .utf8)) ?? "")
                    .split(whereSeparator: { $0 == " " || $0 == "\n" })
            }
            for source in words("available_clocksource") {
                out.append(CollectedSample("node_time_clocksource_available_info", [("clocksource", String(source)), ("device", device)], 1))
            }
            for source in words("current_clocksource") {
                out.append(CollectedSample("node_time_clocksource_current_info", [("clocksource", String(source)), ("device", device)], 1))
            }
        }
        return out
    }

    /// os-release's fields as node_exporter labels them; `node_os_version` is VERSION_ID's
    /// major.minor as a number.
    static func osRelease(_ text: String) -> [CollectedSample] {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "="), !line.hasPrefix("#") else { continue }
            var value = line[line.index(after: equals)...]
            if value.count >= 2, let quote = value.first, quote == "\"" || quote == "'", value.last == quote {
                value = value.dropFirst().dropLast()
            }
            fields[String(line[..<equals])] = value.replacingOccurrences(of: "\\\"", with: "\"")
        }
        let labels = ["BUILD_ID", "ID", "ID_LIKE", "IMAGE_ID", "IMAGE_VERSION", "NAME", "PRETTY_NAME", "VARIANT", "VARIANT_ID",
                      "VERSION", "VERSION_CODENAME", "VERSION_ID"].map { ($0.lowercased(), fields[$0] ?? "") }
        var out = [CollectedSample("node_os_info", labels, 1)]
        let parts = (fields["VERSION_ID"] ?? "").split(separator: ".")
        if let major = parts.first.flatMap({ Int($0) }) {
            let minor = parts.count > 1 ? parts[1] : "0"
            if let version = Double("\(major).\(minor)") {
                out.append(CollectedSample("node_os_version", [("id", fields["ID"] ?? ""), ("id_like", fields["ID_LIKE"] ?? ""),
                                                               ("name", fields["NAME"] ?? "")], version))
            }
        }
        return out
    }
}
