import Foundation
import Storage
import TimeSeriesCore

/// The text `surge tsdb inspect` prints, in the spirit of `promtool tsdb analyze`.
public enum InspectReport {
    public static func render(dataDirectory: String, limit: Int = 10) throws -> String {
        let report = try DataDirectoryReport.read(URL(fileURLWithPath: dataDirectory, isDirectory: true), limit: limit)
        var out = ""
        func line(_ text: String = "") { out += text + "\n" }
        line("Blocks: \(report.blocks.count)")
        if !report.blocks.isEmpty {
            line(row(["BLOCK", "MIN TIME", "MAX TIME", "DURATION", "SERIES", "SAMPLES", "CHUNKS", "BYTES", "BYTES/SAMPLE", "LEVEL"]))
            for block in report.blocks {
                let meta = block.meta
                line(row([meta.ulid, time(meta.minTime), time(meta.maxTime), duration(meta.maxTime - meta.minTime),
                          "\(meta.stats.numSeries)", "\(meta.stats.numSamples)", "\(meta.stats.numChunks)", "\(block.bytes)",
                          String(format: "%.2f", block.bytesPerSample), "\(meta.compaction.level)"]))
            }
        }
        for problem in report.unreadableBlocks { line("unreadable block \(problem)") }
        let head = report.head
        line()
        line("Head (from the WAL): \(head.series) series, \(head.samples) samples, \(head.walBytes) WAL bytes"
             + (head.minTime.map { ", \(time($0)) to \(time(head.maxTime ?? $0))" } ?? "")
             + (head.checkpoint.map { ", checkpoint \($0)" } ?? ""))
        if head.damagedBytes > 0 { line("WAL: \(head.damagedBytes) bytes after a damaged record would be cut at the next start") }
        let samples = report.blockSamples + head.samples
        line("Total: \(report.totalSeries) series, \(samples) samples, \(report.blockBytes) block bytes"
             + (report.blockSamples > 0 ? String(format: ", %.2f bytes per sample in blocks", Double(report.blockBytes) / Double(report.blockSamples)) : ""))
        func ranking(_ title: String, _ entries: [(name: String, count: Int)]) {
            line()
            line(title)
            for entry in entries { line(row(["\(entry.count)", entry.name.isEmpty ? "(no name)" : entry.name])) }
        }
        ranking("Highest cardinality metric names (series):", report.seriesPerMetric)
        ranking("Highest cardinality labels (distinct values):", report.valuesPerLabel)
        ranking("Most common label names (series):", report.seriesPerLabel)
        ranking("Most common label pairs (series):", report.seriesPerPair)
        ranking("Label names with the longest values (bytes of distinct values):", report.valueBytesPerLabel)
        return out
    }

    private static func row(_ cells: [String]) -> String { cells.joined(separator: "\t") }

    private static func time(_ millis: Int64) -> String {
        RFC3339Time.string(Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    private static func duration(_ millis: Int64) -> String {
        let minutes = millis / 60_000
        return minutes % 60 == 0 ? "\(minutes / 60)h" : "\(minutes)m"
    }
}
