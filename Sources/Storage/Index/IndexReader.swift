import Foundation
import TimeSeriesCore

/// Reads a block index through a mapping. The symbol table and the postings table are decoded at
/// open; series entries and postings lists are decoded from the mapping on demand.
///
/// `@unchecked Sendable`: immutable after `init`; the mapping is read-only.
final class IndexReader: @unchecked Sendable {
    private let file: MappedFile
    let symbols: [String]
    let seriesCount: Int
    private let offsetsOffset: Int
    /// Per label name: its values ascending, with the offset of each value's postings list.
    private let table: [String: (values: [String], offsets: [Int])]

    init(path: String) throws {
        file = try MappedFile(path: path)
        let bytes = file.bytes
        func corrupt(_ why: String) -> BlockCorruptError { BlockCorruptError(path: path, reason: why) }
        guard bytes.count >= IndexFormat.magic.count + IndexFormat.trailerSize,
              IndexFormat.magic.elementsEqual(bytes.prefix(IndexFormat.magic.count)) else {
            throw corrupt("not an index file")
        }
        let trailerStart = bytes.count - IndexFormat.trailerSize
        let trailer = UnsafeRawBufferPointer(rebasing: bytes[trailerStart..<bytes.count - 4])
        guard CRC32C.checksum(trailer) == ByteReader.u32LE(bytes, at: bytes.count - 4) else {
            throw corrupt("trailer checksum mismatch")
        }
        let offsets = (0..<6).map { Int(truncatingIfNeeded: ByteReader.u64LE(trailer, at: $0 * 8)) }
        guard offsets[0...4].allSatisfy({ $0 >= 0 && $0 <= trailerStart }) else { throw corrupt("section offset out of range") }
        seriesCount = offsets[5]
        offsetsOffset = offsets[4]
        guard seriesCount >= 0, offsetsOffset + seriesCount * 8 <= trailerStart else { throw corrupt("series table out of range") }

        var reader = ByteReader(bytes)
        reader.seek(offsets[0])
        guard reader.remaining >= 4 else { throw corrupt("symbols truncated") }
        let symbolCount = Int(ByteReader.u32LE(bytes, at: offsets[0]))
        reader.skip(4)
        var symbols: [String] = []
        symbols.reserveCapacity(min(symbolCount, bytes.count))
        for _ in 0..<symbolCount {
            guard let symbol = reader.string() else { throw corrupt("symbol table truncated") }
            symbols.append(symbol)
        }
        self.symbols = symbols

        reader.seek(offsets[3])
        guard reader.remaining >= 4 else { throw corrupt("postings table truncated") }
        let pairCount = Int(ByteReader.u32LE(bytes, at: offsets[3]))
        reader.skip(4)
        var table: [String: (values: [String], offsets: [Int])] = [:]
        for _ in 0..<pairCount {
            guard let name = reader.uvarint(), let value = reader.uvarint(), let offset = reader.uvarint(),
                  name < UInt64(symbols.count), value < UInt64(symbols.count), offset < UInt64(trailerStart) else {
                throw corrupt("postings table entry out of range")
            }
            table[symbols[Int(name)], default: ([], [])].values.append(symbols[Int(value)])
            table[symbols[Int(name)], default: ([], [])].offsets.append(Int(offset))
        }
        self.table = table
    }

    var fileSize: Int { file.bytes.count }

    var labelNames: [String] { table.keys.sorted() }

    func values(of name: String) -> [String] { table[name]?.values ?? [] }

    /// Series numbers having `name=value`, ascending.
    func postings(_ name: String, _ value: String) -> [UInt32] {
        guard let entry = table[name], let index = Self.search(entry.values, value) else { return [] }
        return postings(at: entry.offsets[index])
    }

    private func postings(at offset: Int) -> [UInt32] {
        var reader = ByteReader(file.bytes)
        reader.seek(offset)
        guard let count = reader.uvarint(), count <= UInt64(file.bytes.count) else { return [] }
        var out: [UInt32] = []
        out.reserveCapacity(Int(count))
        var current: UInt64 = 0
        for _ in 0..<count {
            guard let delta = reader.uvarint() else { break }
            current += delta
            guard current < UInt64(seriesCount) else { break }
            out.append(UInt32(current))
        }
        return out
    }

    private static func search(_ values: [String], _ value: String) -> Int? {
        var low = 0, high = values.count
        while low < high {
            let mid = (low + high) / 2
            if values[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < values.count && values[low] == value ? low : nil
    }

    /// Offsets of the postings lists of the values `matcher` accepts; nil when no series has its label.
    private func postingsOffsets(_ matcher: LabelMatcher) -> [Int]? {
        guard let entry = table[matcher.name] else { return nil }
        return ValueMatching.values(matcher, sorted: entry.values) { _ in true }
            .compactMap { value in Self.search(entry.values, value).map { entry.offsets[$0] } }
    }

    /// The stored length of the postings list at `offset`, read without decoding the list.
    private func postingsLength(at offset: Int) -> Int {
        var reader = ByteReader(file.bytes)
        reader.seek(offset)
        return Int(min(reader.uvarint() ?? 0, UInt64(seriesCount)))
    }

    /// At least as many series as `select` finds, from the postings lists' stored lengths alone.
    func estimatedCount(_ matchers: [LabelMatcher]) -> Int {
        var bound = seriesCount
        for matcher in matchers where !matcher.matchesEmpty {
            guard let offsets = postingsOffsets(matcher) else { return 0 }
            bound = min(bound, offsets.reduce(0) { $0 + postingsLength(at: $1) })
        }
        return bound
    }

    /// Series numbers satisfying every matcher, ascending.
    func select(_ matchers: [LabelMatcher]) -> [UInt32] {
        var matched: [[UInt32]] = []
        for matcher in matchers where !matcher.matchesEmpty {
            guard let offsets = postingsOffsets(matcher), !offsets.isEmpty else { return [] }
            let lists = offsets.map(postings(at:))
            matched.append(Postings.union(lists))
        }
        let candidates: [UInt32]? = matched.isEmpty ? nil : Postings.intersect(all: matched)
        let base = candidates ?? (0..<UInt32(seriesCount)).map { $0 }
        let filters = matchers.filter(\.matchesEmpty)
        if filters.isEmpty { return base }
        return base.filter { number in
            guard let labels = labels(of: number) else { return false }
            return filters.allSatisfy { $0.matches(labels[$0.name] ?? "") }
        }
    }

    func labels(of number: UInt32) -> Labels? { entry(number, chunks: false)?.labels }

    /// A series' labels and chunk metadata; nil when the entry is damaged.
    func entry(_ number: UInt32, chunks wantChunks: Bool = true) -> (labels: Labels, chunks: [ChunkMeta])? {
        guard Int(number) < seriesCount else { return nil }
        let offset = Int(truncatingIfNeeded: ByteReader.u64LE(file.bytes, at: offsetsOffset + Int(number) * 8))
        guard offset >= 0 && offset < file.bytes.count else { return nil }
        var reader = ByteReader(file.bytes)
        reader.seek(offset)
        guard let labelCount = reader.uvarint(), labelCount < 1024 else { return nil }
        var pairs: [Label] = []
        pairs.reserveCapacity(Int(labelCount))
        for _ in 0..<labelCount {
            guard let name = reader.uvarint(), let value = reader.uvarint(),
                  name < UInt64(symbols.count), value < UInt64(symbols.count) else { return nil }
            pairs.append(Label(symbols[Int(name)], symbols[Int(value)]))
        }
        let labels = Labels(sortedUnique: pairs)
        guard wantChunks else { return (labels, []) }
        guard let chunkCount = reader.uvarint(), chunkCount <= UInt64(reader.remaining) else { return nil }
        var chunks: [ChunkMeta] = []
        chunks.reserveCapacity(Int(chunkCount))
        for _ in 0..<chunkCount {
            guard let mint = reader.varint(), let span = reader.uvarint(), let count = reader.uvarint(),
                  let ref = reader.uvarint(), count <= UInt64(UInt16.max) else { return nil }
            chunks.append(ChunkMeta(ref: ref, minTime: mint, maxTime: mint &+ Int64(truncatingIfNeeded: span), count: UInt16(count)))
        }
        return (labels, chunks)
    }
}

/// A block file that cannot be read as written.
public struct BlockCorruptError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "corrupt block file \(path): \(reason)" }
}
