import CProtobufC
#if canImport(Glibc)
import Glibc
#endif

/// A bump allocator for protobuf-c's `unpack`: every allocation of one decode comes from a few large
/// blocks that are released together, instead of one `malloc` per label, string and sample.
final class ProtobufArena {
    private var blocks: [UnsafeMutableRawPointer] = []
    private var cursor: UnsafeMutableRawPointer?
    private var remaining = 0
    private let blockSize: Int

    init(expectedBytes: Int) {
        blockSize = max(64 << 10, expectedBytes)
    }

    deinit {
        for block in blocks { free(block) }
    }

    func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        let aligned = (size + 15) & ~15
        if aligned > remaining {
            let length = max(blockSize, aligned)
            guard let block = malloc(length) else { return nil }
            blocks.append(block)
            cursor = block
            remaining = length
        }
        let pointer = cursor!
        cursor = pointer + aligned
        remaining -= aligned
        return pointer
    }

    /// Runs `body` with an allocator that draws from this arena; nothing it allocates needs freeing.
    func withAllocator<R>(_ body: (UnsafeMutablePointer<ProtobufCAllocator>) throws -> R) rethrows -> R {
        var allocator = ProtobufCAllocator(
            alloc: { data, size in
                Unmanaged<ProtobufArena>.fromOpaque(data!).takeUnretainedValue().allocate(size)
            },
            free: { _, _ in },
            allocator_data: Unmanaged.passUnretained(self).toOpaque())
        return try withExtendedLifetime(self) { try body(&allocator) }
    }
}
