import Foundation

/// Kubernetes resource quantities ("500m", "2Gi", "1.5", "1e3") as milli-units, the integer scale
/// the HPA computes in. Fractions of a milli-unit round up, as `Quantity.MilliValue` does.
public enum Quantity {
    static let suffixes: [(String, Double)] = [
        ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776), ("Pi", 1_125_899_906_842_624),
        ("Ei", 1_152_921_504_606_846_976), ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9),
        ("T", 1e12), ("P", 1e15), ("E", 1e18),
    ]

    /// The quantity in milli-units, or nil when the text is not a quantity.
    public static func milliValue(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        var number = Substring(trimmed)
        var multiplier = 1.0
        for (suffix, factor) in suffixes where trimmed.hasSuffix(suffix) {
            number = trimmed.dropLast(suffix.count)
            multiplier = factor
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }),
              let value = Double(number), value.isFinite else { return nil }
        let milli = value * multiplier * 1000
        guard abs(milli) < 9.2e18 else { return nil }
        return Int64((milli - 1e-9).rounded(.up))
    }

    /// Milli-units back in Kubernetes' shortest plain form: "500m", "2", "1500m".
    public static func format(milli: Int64) -> String {
        milli % 1000 == 0 ? String(milli / 1000) : "\(milli)m"
    }
}


