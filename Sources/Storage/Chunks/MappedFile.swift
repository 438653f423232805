import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A read-only shared memory mapping of a file, unmapped when the last reference goes away.
///
/// A mapping stays readable after its file is unlinked, so a query holding one is never cut short
/// by compaction or retention deleting the file underneath it.
/// `@unchecked Sendable`: the mapping is read-only and immutable after `init`.
final class MappedFile: @unchecked Sendable {
    let path: String
    let bytes: UnsafeRawBufferPointer

    /// Maps `length` bytes (default: the file's size). A length beyond the file's end is allowed for
    /// files that grow by `write`; only bytes already written may be read.
    init(path: String, length: Int? = nil) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageIOError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var size = length ?? 0
        if length == nil {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw StorageIOError(operation: "stat", path: path, errno: errno) }
            size = Int(info.st_size)
        }
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), base != MAP_FAILED else {
            throw StorageIOError(operation: "mmap", path: path, errno: errno)
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}

/// A failed system call on a storage file, with the path and the `errno` text.
public struct StorageIOError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let path: String
    public let code: Int32

    init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.code = errno
    }

    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}

/// Writes all of `bytes` to `fd` at `offset` (at the file position when nil), retrying short
/// writes and EINTR. A failed write may have written part of the bytes.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String, at offset: Int? = nil) throws {
    var written = 0
    let limit = DiskFaults.allowance(path, bytes.count)
    while written < bytes.count {
        if let limit, written >= limit { throw StorageIOError(operation: "write", path: path, errno: ENOSPC) }
        let count = min(bytes.count, limit ?? .max) - written
        let n = offset.map { pwrite(fd, bytes.baseAddress! + written, count, off_t($0 + written)) }
            ?? write(fd, bytes.baseAddress! + written, count)
        if n < 0 {
            if errno == EINTR { continue }
            throw StorageIOError(operation: "write", path: path, errno: errno)
        }
        written += n
    }
}

/// Writes a whole file and makes it durable: temp file, fsync, rename, fsync of the directory.
func writeFileAtomically(_ bytes: [UInt8], to url: URL) throws {
    let temp = url.path + ".tmp"
    let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw StorageIOError(operation: "open", path: temp, errno: errno) }
    do {
        try bytes.withUnsafeBytes { try writeAll(fd, $0, path: temp) }
        guard fsync(fd) == 0 else { throw StorageIOError(operation: "fsync", path: temp, errno: errno) }
        close(fd)
    } catch {
        close(fd)
        throw error
    }
    guard rename(temp, url.path) == 0 else { throw StorageIOError(operation: "rename", path: temp, errno: errno) }
    syncDirectory(url.deletingLastPathComponent())
}

func syncDirectory(_ url: URL) {
    let fd = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 {
        _ = fsync(fd)
        close(fd)
    }
}
