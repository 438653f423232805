import Foundation
import Storage
import TimeSeriesCore

/// Files of a healthy data directory, and copies of them with damage an input describes: bytes
/// flipped at offsets, and optionally the file cut short. The copies go to /dev/shm when it
/// exists, so each input costs little I/O.
public struct DamagedFiles {
    /// Paths relative to the data directory, with their bytes.
    public let files: [(path: String, bytes: [UInt8])]

    public init(from directory: URL, matching keep: (String) -> Bool) throws {
        var files: [(String, [UInt8])] = []
        let enumerator = FileManager.default.enumerator(atPath: directory.path)!
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let url = directory.appendingPathComponent(relative)
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue, keep(relative) else { continue }
            files.append((relative, Array(try Data(contentsOf: url))))
        }
        self.files = files.sorted { $0.0 < $1.0 }
    }

    public static let scratchRoot: URL = {
        let shm = URL(fileURLWithPath: "/dev/shm")
        return FileManager.default.fileExists(atPath: shm.path) ? shm : FileManager.default.temporaryDirectory
    }()

    /// Writes every file into a new directory, the one `input` chooses damaged, and returns it.
    public func writeDamaged(_ input: inout FuzzInput) throws -> URL {
        let directory = Self.scratchRoot.appendingPathComponent("surge-fuzz-\(getpid())-\(UUID().uuidString)")
        let target = Int(input.byte()) % max(files.count, 1)
        let cut = input.byte()
        for (index, file) in files.enumerated() {
            var bytes = file.bytes
            if index == target && !bytes.isEmpty {
                for _ in 0..<Int(input.byte() % 8) {
                    let offset = Int(input.uint32()) % bytes.count
                    bytes[offset] ^= max(input.byte(), 1)
                }
                if cut & 1 == 1 { bytes.removeLast(Int(input.uint32()) % (bytes.count + 1)) }
            }
            let url = directory.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        return directory
    }

    /// One fuzzing input: a damaged copy, opened and read, then removed.
    public func readDamagedCopy(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        guard let directory = try? writeDamaged(&input) else { return }
        Self.readEverything(directory)
        try? FileManager.default.removeItem(at: directory)
    }

    /// Opens a database on `directory` and reads everything it holds, as queries and the
    /// start-up block check do.
    public static func readEverything(_ directory: URL) {
        var options = DatabaseOptions()
        options.futureWindow = nil
        options.retentionTime = nil
        guard let database = try? Database(directory: directory, options: options, logger: FuzzData.logger) else { return }
        let all = [try! LabelMatcher(.regexMatch, "__name__", ".+")]
        _ = database.select(all, mint: .min, maxt: .max)
        _ = database.series(all, mint: .min, maxt: .max)
        _ = database.labelValues("pod", matching: [], mint: .min, maxt: .max)
        _ = database.verifyBlocks()
        database.close()
    }
}
