/// `1h30m` from milliseconds, largest units first, as Prometheus prints durations.
public func formatDuration(_ milliseconds: Int64) -> String {
    if milliseconds == 0 { return "0s" }
    var rest = milliseconds
    var out = ""
    let units: [(String, Int64)] = [("y", 31_536_000_000), ("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
    for (unit, size) in units where rest >= size {
        out += "\(rest / size)\(unit)"
        rest %= size
    }
    return out
}

extension Duration {
    /// Whole milliseconds, rounded toward zero.
    public var inMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }

    /// Seconds as a floating-point number.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
