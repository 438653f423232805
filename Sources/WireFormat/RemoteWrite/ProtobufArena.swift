import CProtobufC
#if canImport(Glibc)
import Glibc
#endif

/// A bump allocator for protobuf-c's `unpack`: every allocation of one decode comes from a few large
/// blocks that are released together, instead of one `malloc` per label, string and sample.
///
/// The state lives behind a raw pointer so the C callback touches no reference counts.
struct ProtobufArena: ~Copyable {
    private struct State {
        var blocks: UnsafeMutablePointer<UnsafeMutableRawPointer?>
        var blockCount: Int
        var blockCapacity: Int
        var cursor: UnsafeMutableRawPointer?
        var remaining: Int
        var blockSize: Int
    }

    private let state: UnsafeMutablePointer<State>

    init(expectedBytes: Int) {
        state = .allocate(capacity: 1)
        state.initialize(to: State(blocks: .allocate(capacity: 8), blockCount: 0, blockCapacity: 8,
                                   cursor: nil, remaining: 0, blockSize: max(64 << 10, expectedBytes)))
    }

    deinit {
        for i in 0..<state.pointee.blockCount { free(state.pointee.blocks[i]) }
        state.pointee.blocks.deallocate()
        state.deallocate()
    }

    private static let allocate: @convention(c) (UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = { data, size in
        let state = data!.assumingMemoryBound(to: State.self)
        let aligned = (size + 15) & ~15
        if aligned > state.pointee.remaining {
            let length = max(state.pointee.blockSize, aligned)
            guard let block = malloc(length) else { return nil }
            if state.pointee.blockCount == state.pointee.blockCapacity {
                let bigger = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: state.pointee.blockCapacity * 2)
                bigger.update(from: state.pointee.blocks, count: state.pointee.blockCount)
                state.pointee.blocks.deallocate()
                state.pointee.blocks = bigger
                state.pointee.blockCapacity *= 2
            }
            state.pointee.blocks[state.pointee.blockCount] = block
            state.pointee.blockCount += 1
            state.pointee.cursor = block
            state.pointee.remaining = length
        }
        let pointer = state.pointee.cursor!
        state.pointee.cursor = pointer + aligned
        state.pointee.remaining -= aligned
        return pointer
    }

    /// Runs `body` with an allocator that draws from this arena; nothing it allocates needs freeing.
    func withAllocator<R>(_ body: (UnsafeMutablePointer<ProtobufCAllocator>) throws -> R) rethrows -> R {
        var allocator = ProtobufCAllocator(alloc: Self.allocate, free: { _, _ in }, allocator_data: UnsafeMutableRawPointer(state))
        return try body(&allocator)
    }
}
