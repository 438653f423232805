/// Appends bits most-significant first into a byte array.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    /// Free bits in the last byte (0 means a new byte is needed).
    private var free: Int = 0

    init() {}

    /// Wraps finished bytes; later writes start a new byte.
    init(sealed bytes: [UInt8]) { self.bytes = bytes }

    /// Writes the low `count` bits of `value` (at most 64): the rest of the last byte first, then
    /// whole bytes, then the leftover high bits of a new byte.
    mutating func write(bits value: UInt64, count: Int) {
        guard count > 0 else { return }
        var remaining = count
        if free > 0 {
            let take = min(free, remaining)
            let head = (value >> UInt64(remaining - take)) & ((1 << UInt64(take)) &- 1)
            bytes[bytes.count - 1] |= UInt8(truncatingIfNeeded: head << UInt64(free - take))
            free -= take
            remaining -= take
        }
        while remaining >= 8 {
            remaining -= 8
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(remaining)))
        }
        if remaining > 0 {
            bytes.append(UInt8(truncatingIfNeeded: value << UInt64(8 - remaining)))
            free = 8 - remaining
        }
    }

    mutating func write(byte: UInt8) { write(bits: UInt64(byte), count: 8) }

    mutating func writeUVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            write(byte: UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        write(byte: UInt8(v))
    }

    mutating func writeVarint(_ value: Int64) {
        writeUVarint(zigzag(value))
    }
}

/// Reads what `BitWriter` wrote, from memory the caller keeps alive (an array or a mapped file).
/// Reading past the end yields `nil`, never a crash.
struct BitReader {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0  // in bits

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func readBit() -> Bool? {
        guard position < bytes.count * 8 else { return nil }
        let byte = bytes[position >> 3]
        let bit = (byte >> UInt8(7 - (position & 7))) & 1
        position += 1
        return bit == 1
    }

    mutating func readBits(_ count: Int) -> UInt64? {
        guard position + count <= bytes.count * 8 else { return nil }
        var value: UInt64 = 0
        var remaining = count
        while remaining > 0 {
            let offset = position & 7
            let available = 8 - offset
            let take = min(available, remaining)
            let byte = UInt64(bytes[position >> 3])
            let chunk = (byte >> UInt64(available - take)) & ((1 << UInt64(take)) - 1)
            value = (value << UInt64(take)) | chunk
            position += take
            remaining -= take
        }
        return value
    }

    mutating func readUVarint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while shift < 64 {
            guard let byte = readBits(8) else { return nil }
            result |= (byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
        return nil
    }

    mutating func readVarint() -> Int64? {
        readUVarint().map(unzigzag)
    }
}

extension BitWriter {
    /// Bits written so far.
    var bitCount: Int { bytes.count * 8 - free }

    /// Appends whole bytes; the writer must be at a byte boundary.
    mutating func append(aligned other: [UInt8]) {
        precondition(free == 0, "append(aligned:) needs a byte boundary")
        bytes.append(contentsOf: other)
    }
}

extension BitReader {
    /// A reader over the next `length` bytes, which this reader then skips; nil when the reader is
    /// not at a byte boundary or fewer bytes are left.
    mutating func splitAligned(length: Int) -> BitReader? {
        guard position & 7 == 0, length >= 0, length <= bytes.count - position >> 3 else { return nil }
        let start = position >> 3
        position += length * 8
        return BitReader(UnsafeRawBufferPointer(rebasing: bytes[start..<start + length]))
    }
}
