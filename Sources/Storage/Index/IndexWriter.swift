import TimeSeriesCore

/// Builds a block index in memory from series given in label order.
struct IndexWriter {
    private var symbols: [String: UInt32] = [:]
    private var symbolList: [String]
    private var series = ByteWriter()
    private var seriesOffsets: [UInt64] = []
    private var postings: [Label: [UInt32]] = [:]

    /// `allLabels` must hold every label set that will be added, so the symbol table comes first.
    init(allLabels: some Sequence<Labels>) {
        var set = Set<String>()
        for labels in allLabels {
            for pair in labels.pairs {
                set.insert(pair.name)
                set.insert(pair.value)
            }
        }
        symbolList = set.sorted()
        for (index, symbol) in symbolList.enumerated() { symbols[symbol] = UInt32(index) }
    }

    /// Adds the next series (label sets must ascend) with its chunks' metadata.
    mutating func add(_ labels: Labels, chunks: [ChunkMeta]) {
        let number = UInt32(seriesOffsets.count)
        seriesOffsets.append(UInt64(series.bytes.count))
        series.uvarint(UInt64(labels.pairs.count))
        for pair in labels.pairs {
            series.uvarint(UInt64(symbols[pair.name]!))
            series.uvarint(UInt64(symbols[pair.value]!))
            postings[pair, default: []].append(number)
        }
        series.uvarint(UInt64(chunks.count))
        for chunk in chunks {
            series.varint(chunk.minTime)
            series.uvarint(UInt64(chunk.maxTime - chunk.minTime))
            series.uvarint(UInt64(chunk.count))
            series.uvarint(chunk.ref)
        }
    }

    func finish() -> [UInt8] {
        var out = ByteWriter()
        out.bytes = IndexFormat.magic
        let symbolsOffset = out.bytes.count
        out.fixed32(UInt32(symbolList.count))
        for symbol in symbolList { out.string(symbol) }

        let seriesOffset = out.bytes.count
        out.bytes.append(contentsOf: series.bytes)

        let postingsOffset = out.bytes.count
        let pairs = postings.keys.sorted()
        var table = ByteWriter()
        table.fixed32(UInt32(pairs.count))
        for pair in pairs {
            table.uvarint(UInt64(symbols[pair.name]!))
            table.uvarint(UInt64(symbols[pair.value]!))
            table.uvarint(UInt64(out.bytes.count))
            let list = postings[pair]!
            out.uvarint(UInt64(list.count))
            var previous: UInt32 = 0
            for number in list {
                out.uvarint(UInt64(number - previous))
                previous = number
            }
        }
        let tableOffset = out.bytes.count
        out.bytes.append(contentsOf: table.bytes)

        let offsetsOffset = out.bytes.count
        for offset in seriesOffsets { out.fixed64(UInt64(seriesOffset) + offset) }

        var trailer = ByteWriter()
        for value in [symbolsOffset, seriesOffset, postingsOffset, tableOffset, offsetsOffset, seriesOffsets.count] {
            trailer.fixed64(UInt64(value))
        }
        trailer.fixed32(CRC32C.checksum(trailer.bytes))
        out.bytes.append(contentsOf: trailer.bytes)
        return out.bytes
    }
}
