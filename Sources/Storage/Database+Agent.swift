import Foundation
import Synchronization
import TimeSeriesCore

extension Database {
    /// Agent mode's maintenance. The log is the only copy of the samples, so a segment goes only
    /// once every forwarder has read past it (`hold`: the oldest segment one still needs). What
    /// goes is replaced by a checkpoint of the live series' labels, so a forwarder that starts
    /// later, or resumes after a restart, still knows the series of the segments left. Series
    /// without a sample for `idleAfter` milliseconds before the newest are then forgotten; one that
    /// comes back is logged again as new.
    @discardableResult
    public func truncateForwardedLog(hold: Int, idleAfter: Int64 = 3_600_000) throws -> MaintenanceReport {
        try maintenance.withLock { _ in
            var report = MaintenanceReport()
            let walDirectory = directory.appendingPathComponent("wal")
            let prepared: (records: [UInt8], number: Int)? = try state.withLock { state in
                guard !state.closed else { return nil }
                // The segment being written stays whatever the hold says.
                let number = min(hold, state.wal.currentSegment) - 1
                guard try state.wal.segmentNumbers().contains(where: { $0 <= number }) else { return nil }
                let records = Self.checkpointRecords(&state)
                let (cutoff, overflow) = state.headMaxTime.subtractingReportingOverflow(idleAfter)
                if !overflow { report.seriesRemoved = state.index.remove { $0.maxTime < cutoff } }
                return (records, number)
            }
            guard let prepared else { return report }
            let size = try WriteAheadLog.writeCheckpointFile(prepared.records, number: prepared.number, directory: walDirectory)
            try state.withLock { state in try state.wal.checkpointWritten(prepared.number, size: size) }
            return report
        }
    }

    /// The newest sample time appended and the samples appended since start, read cheaply: how far
    /// the log has grown, for a forwarder reckoning its backlog.
    public var logProgress: (newest: Timestamp?, appended: Int) {
        state.withLock { ($0.headMaxTime == .min ? nil : $0.headMaxTime, $0.samplesAppended) }
    }

    /// Whether this database keeps samples only in its log, for forwarding.
    public var isAgent: Bool { options.agent }
}
