import Foundation
import TimeSeriesCore

/// What `surge tsdb inspect` prints: blocks, the head as the WAL holds it, and where the
/// cardinality comes from. Reads files only; safe while a server is using the directory.
public struct DataDirectoryReport: Sendable {
    public struct BlockSummary: Sendable {
        public var meta: BlockMeta
        public var bytes: Int
        public var bytesPerSample: Double { meta.stats.numSamples == 0 ? 0 : Double(bytes) / Double(meta.stats.numSamples) }
    }

    public struct HeadSummary: Sendable {
        public var series = 0
        public var samples = 0
        public var minTime: Int64?
        public var maxTime: Int64?
        public var walBytes = 0
        public var checkpoint: Int?
        public var damagedBytes = 0
    }

    public var blocks: [BlockSummary] = []
    public var unreadableBlocks: [String] = []
    public var head = HeadSummary()
    public var totalSeries = 0
    /// Series per metric name, most first.
    public var seriesPerMetric: [(name: String, count: Int)] = []
    /// Distinct values per label name, most first.
    public var valuesPerLabel: [(name: String, count: Int)] = []
    /// Series carrying each label name, most first.
    public var seriesPerLabel: [(name: String, count: Int)] = []
    /// Series carrying each `name=value` pair, most first.
    public var seriesPerPair: [(name: String, count: Int)] = []
    /// Bytes of the distinct values of each label name, most first.
    public var valueBytesPerLabel: [(name: String, count: Int)] = []

    public var blockSamples: Int { blocks.reduce(0) { $0 + $1.meta.stats.numSamples } }
    public var blockBytes: Int { blocks.reduce(0) { $0 + $1.bytes } }

    /// Reads the blocks and WAL of `directory`; each ranking keeps its `limit` largest entries,
    /// names ascending among equal counts.
    public static func read(_ directory: URL, limit: Int = 10) throws -> DataDirectoryReport {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InspectError("no such directory")
        }
        guard limit >= 1 else { throw InspectError("the ranking limit must be at least 1, not \(limit)") }
        var report = DataDirectoryReport()
        var allLabels = Set<Labels>()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names.sorted() where BlockID.isValid(name) {
            do {
                let block = try Block(directory: directory.appendingPathComponent(name))
                report.blocks.append(BlockSummary(meta: block.meta, bytes: block.sizeBytes))
                for number in 0..<UInt32(block.index.seriesCount) {
                    if let labels = block.index.labels(of: number) { allLabels.insert(labels) }
                }
            } catch {
                report.unreadableBlocks.append("\(name): \(error)")
            }
        }
        report.blocks.sort { $0.meta.minTime < $1.meta.minTime }
        report.head = try readHead(directory.appendingPathComponent("wal"), labels: &allLabels)
        report.totalSeries = allLabels.count

        var perMetric: [String: Int] = [:]
        var values: [String: Set<String>] = [:]
        var perLabel: [String: Int] = [:]
        var perPair: [Label: Int] = [:]
        for labels in allLabels {
            perMetric[labels.metricName ?? "", default: 0] += 1
            for pair in labels.pairs {
                values[pair.name, default: []].insert(pair.value)
                perLabel[pair.name, default: 0] += 1
                perPair[pair, default: 0] += 1
            }
        }
        func ranked<Key>(_ counts: [Key: Int], _ name: (Key) -> String) -> [(name: String, count: Int)] {
            var top = TopCounts(limit: limit)
            for (key, count) in counts where top.admits(count) { top.offer(name(key), count) }
            return top.ranked.map { (name: $0.name, count: $0.value) }
        }
        report.seriesPerMetric = ranked(perMetric) { $0 }
        report.valuesPerLabel = ranked(values.mapValues(\.count)) { $0 }
        report.seriesPerLabel = ranked(perLabel) { $0 }
        report.seriesPerPair = ranked(perPair) { "\($0.name)=\($0.value)" }
        report.valueBytesPerLabel = ranked(values.mapValues { $0.reduce(0) { $0 + $1.utf8.count } }) { $0 }
        return report
    }

    /// Counts what a replay would load, without changing any file.
    private static func readHead(_ wal: URL, labels: inout Set<Labels>) throws -> HeadSummary {
        var head = HeadSummary()
        guard FileManager.default.fileExists(atPath: wal.path) else { return head }
        let names = try FileManager.default.contentsOfDirectory(atPath: wal.path).sorted()
        let checkpoint = names.filter { $0.hasPrefix("checkpoint.") && !$0.hasSuffix(".tmp") }
            .compactMap { Int($0.dropFirst("checkpoint.".count)) }.max()
        head.checkpoint = checkpoint
        var files: [String] = []
        if let checkpoint { files.append(String(format: "checkpoint.%08d", checkpoint)) }
        files += names.filter { $0.count == 8 && $0.allSatisfy(\.isNumber) }
            .filter { checkpoint == nil || Int($0)! > checkpoint! }
        var series = Set<SeriesRef>()
        for file in files {
            let data = try Data(contentsOf: wal.appendingPathComponent(file))
            head.walBytes += data.count
            let end = data.withUnsafeBytes { buffer in
                WriteAheadLog.readRecords(buffer) { record in
                    switch record {
                    case .series(let entries):
                        for (ref, set) in entries {
                            series.insert(ref)
                            labels.insert(set)
                        }
                    case .samples(let entries):
                        head.samples += entries.count
                        for (_, t, _) in entries {
                            head.minTime = min(head.minTime ?? t, t)
                            head.maxTime = max(head.maxTime ?? t, t)
                        }
                    case .chunks(_, let chunks):
                        for chunk in chunks {
                            head.samples += chunk.count
                            head.minTime = min(head.minTime ?? chunk.minTime, chunk.minTime)
                            head.maxTime = max(head.maxTime ?? chunk.maxTime, chunk.maxTime)
                        }
                    }
                }
            }
            head.damagedBytes += data.count - end
        }
        head.series = series.count
        return head
    }
}

public struct InspectError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
