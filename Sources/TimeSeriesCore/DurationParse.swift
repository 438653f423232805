/// Parses PromQL durations (`5m`, `1h30m`, `250ms`, `2w`) into milliseconds. Units must appear in
/// descending order and at most once, as in Prometheus.
public func parseDuration(_ text: String) -> Int64? {
    let units: [(String, Int64)] = [("y", 31_536_000_000), ("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
    var scalars = Substring(text)
    var total: Int64 = 0
    var lastUnitIndex = -1
    guard !scalars.isEmpty else { return nil }
    while !scalars.isEmpty {
        let digits = scalars.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let number = Int64(digits) else { return nil }
        scalars = scalars.dropFirst(digits.count)
        let unitText = scalars.hasPrefix("ms") ? "ms" : String(scalars.prefix(1))
        guard let unitIndex = units.firstIndex(where: { $0.0 == unitText }), unitIndex > lastUnitIndex else { return nil }
        scalars = scalars.dropFirst(unitText.count)
        lastUnitIndex = unitIndex
        let (product, overflow) = number.multipliedReportingOverflow(by: units[unitIndex].1)
        guard !overflow else { return nil }
        let (sum, overflow2) = total.addingReportingOverflow(product)
        guard !overflow2 else { return nil }
        total = sum
    }
    return total
}
