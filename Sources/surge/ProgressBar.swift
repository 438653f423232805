import Foundation
import Synchronization

/// A progress bar on standard error: redrawn in place on a terminal, a line per tenth otherwise.
final class ProgressBar: Sendable {
    private let label: String
    private let enabled: Bool
    private let interactive: Bool
    private let shown = Mutex(-1)

    init(label: String, enabled: Bool) {
        self.label = label
        self.enabled = enabled
        interactive = isatty(STDERR_FILENO) == 1
    }

    func update(_ fraction: Double) {
        guard enabled else { return }
        let percent = Int((min(max(fraction, 0), 1) * 100).rounded(.down))
        let step = interactive ? percent : percent / 10 * 10
        let changed = shown.withLock { last in
            guard step > last else { return false }
            last = step
            return true
        }
        guard changed else { return }
        let width = 30
        let filled = width * percent / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let line = "\(label) [\(bar)] \(percent)%"
        FileHandle.standardError.write(Data((interactive ? "\r" + line : line + "\n").utf8))
    }

    func finish() {
        guard enabled else { return }
        update(1)
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
