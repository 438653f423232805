import TimeSeriesCore
#if canImport(Glibc)
import Glibc
#endif

/// Checks a series' label pairs as sent on the wire, on their bytes: names non-empty, strictly
/// ascending (so unique), names and values valid UTF-8. Empty values are dropped, as Prometheus
/// treats them as absent. Strings are only made for error messages. UTF-8 is checked when the
/// series ends (`endSeries`), pair by pair only if its key has a byte outside ASCII.
struct LabelValidator {
    private var previousName: UnsafeRawBufferPointer?
    private(set) var kept = 0

    /// Checks the next pair of a series; returns whether it belongs in the series' key (a pair with
    /// an empty value does not).
    mutating func check(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws -> Bool {
        // A name kept in the key is checked with its series; one with an empty value is not kept.
        if value.isEmpty { try Self.checkUTF8(name: name, value: value) }
        guard !name.isEmpty else { throw RemoteWriteError(.invalidLabels, "label name is empty") }
        if let previousName {
            let order = compare(name, previousName)
            if order == 0 { throw RemoteWriteError(.invalidLabels, "duplicate label name \(quoted(string(name)))") }
            if order < 0 {
                throw RemoteWriteError(.invalidLabels, "label names are not sorted: \(quoted(string(name))) after \(quoted(string(previousName)))")
            }
        }
        previousName = name
        guard !value.isEmpty else { return false }
        kept += 1
        return true
    }

    /// Checks the next pair and adds it to the series being built in `batch`.
    mutating func add(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, into batch: inout WriteBatch) throws {
        if try check(name: name, value: value) { batch.appendLabel(name: name, value: value) }
    }

    func finish() throws {
        guard kept > 0 else { throw RemoteWriteError(.invalidLabels, "series has no labels") }
    }

    /// Ends the series being built in `batch` and checks its labels' UTF-8.
    func endSeries(_ batch: inout WriteBatch) throws {
        let ascii = batch.endSeries()
        try Self.checkUTF8(ofLast: batch, ascii: ascii)
    }

    /// Checks the UTF-8 of the last series' pairs, unless the hash pass found its key all ASCII.
    static func checkUTF8(ofLast batch: WriteBatch, ascii: Bool) throws {
        if ascii { return }
        try batch.forEachPair(of: batch.seriesCount - 1) { try checkUTF8(name: $0, value: $1) }
    }

    private static func checkUTF8(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws {
        guard isValidUTF8(name) else { throw RemoteWriteError(.invalidLabels, "label name is not valid UTF-8") }
        guard isValidUTF8(value) else {
            throw RemoteWriteError(.invalidLabels, "value of label \(quoted(String(decoding: name, as: UTF8.self))) is not valid UTF-8")
        }
    }

    /// Byte order of two names, eight bytes at a time (names are short; a call to memcmp costs more).
    @inline(__always)
    private func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = min(a.count, b.count)
        var offset = 0
        while offset + 8 <= common {
            let x = UInt64(bigEndian: a.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let y = UInt64(bigEndian: b.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            if x != y { return x < y ? -1 : 1 }
            offset += 8
        }
        while offset < common {
            if a[offset] != b[offset] { return a[offset] < b[offset] ? -1 : 1 }
            offset += 1
        }
        return a.count - b.count
    }

    private func string(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }
}

/// The bytes of a C string (none for a null pointer).
func cBytes(_ pointer: UnsafePointer<CChar>?) -> UnsafeRawBufferPointer {
    guard let pointer else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: pointer, count: strlen(pointer))
}

/// UTF-8 validity, with a fast path for ASCII, the usual case for labels.
func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset + 8 <= bytes.count {
        if bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
        offset += 8
    }
    while offset < bytes.count && bytes[offset] < 0x80 { offset += 1 }
    if offset == bytes.count { return true }
    return String(validating: bytes, as: UTF8.self) != nil
}
