import Foundation
import NIOCore

/// Cuts a watch response, which arrives in arbitrary chunks, into its newline-delimited JSON events.
struct WatchLineSplitter {
    private var pending: [UInt8] = []
    /// One event may be large (a pod with many annotations) but not unbounded.
    static let maxLineBytes = 16 << 20

    mutating func append(_ chunk: ByteBuffer) -> [Data] {
        pending.append(contentsOf: chunk.readableBytesView)
        var lines: [Data] = []
        var start = 0
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            if newline > start { lines.append(Data(pending[start..<newline])) }
            start = newline + 1
        }
        pending.removeFirst(start)
        if pending.count > Self.maxLineBytes { pending.removeAll() }
        return lines
    }
}
