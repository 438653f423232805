import TimeSeriesCore

/// Checks a series' label pairs as sent on the wire: names non-empty, strictly ascending (so unique),
/// names and values valid UTF-8. Empty values are dropped, as Prometheus treats them as absent.
struct LabelValidator {
    private var pairs: [Label] = []
    private var previousName: String?

    init(capacity: Int) { pairs.reserveCapacity(capacity) }

    mutating func add(name: String?, value: String?) throws {
        guard let name else { throw RemoteWriteError(.invalidLabels, "label name is not valid UTF-8") }
        guard let value else { throw RemoteWriteError(.invalidLabels, "value of label \(quoted(name)) is not valid UTF-8") }
        guard !name.isEmpty else { throw RemoteWriteError(.invalidLabels, "label name is empty") }
        if let previousName {
            if name == previousName {
                throw RemoteWriteError(.invalidLabels, "duplicate label name \(quoted(name))")
            }
            if name.utf8.lexicographicallyPrecedes(previousName.utf8) {
                throw RemoteWriteError(.invalidLabels, "label names are not sorted: \(quoted(name)) after \(quoted(previousName))")
            }
        }
        previousName = name
        if !value.isEmpty { pairs.append(Label(name, value)) }
    }

    func labels() throws -> Labels {
        guard !pairs.isEmpty else { throw RemoteWriteError(.invalidLabels, "series has no labels") }
        return Labels(sortedUnique: pairs)
    }
}

/// A C string as Swift, or nil when it is not valid UTF-8.
func validatedString(_ pointer: UnsafePointer<CChar>?) -> String? {
    guard let pointer else { return "" }
    return String(validatingCString: pointer)
}
