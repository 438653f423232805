import CSnappy

/// Snappy block format (not the framed stream), as remote-write bodies use.
public enum Snappy {
    public struct Error: Swift.Error, CustomStringConvertible, Equatable, Sendable {
        public enum Code: Sendable, Equatable { case corrupt, tooLarge }
        public let code: Code
        public let description: String
    }

    /// The decoded length a compressed block announces in its header.
    public static func decodedLength(_ compressed: UnsafeRawBufferPointer) throws -> Int {
        var length = 0
        let status = compressed.withMemoryRebound(to: CChar.self) { chars in
            snappy_uncompressed_length(chars.baseAddress, chars.count, &length)
        }
        guard status == SNAPPY_OK else {
            throw Error(code: .corrupt, description: "snappy: corrupt input (bad length header)")
        }
        return length
    }

    /// Decompresses a block whose decoded size must not exceed `limit` bytes.
    public static func decompress(_ compressed: UnsafeRawBufferPointer, limit: Int) throws -> [UInt8] {
        let length = try decodedLength(compressed)
        guard length <= limit else {
            throw Error(code: .tooLarge, description: "decoded body of \(length) bytes exceeds the limit of \(limit) bytes")
        }
        // Left uninitialized: snappy writes every byte of a block it accepts, and zeroing a large
        // body first would cost a pass over it.
        var status = SNAPPY_INVALID_INPUT
        let output = [UInt8](unsafeUninitializedCapacity: length) { out, initialized in
            var outputLength = length
            status = compressed.withMemoryRebound(to: CChar.self) { input in
                out.withMemoryRebound(to: CChar.self) { outChars in
                    snappy_uncompress(input.baseAddress, input.count, outChars.baseAddress, &outputLength)
                }
            }
            if status == SNAPPY_OK && outputLength != length { status = SNAPPY_INVALID_INPUT }
            initialized = status == SNAPPY_OK ? length : 0
        }
        guard status == SNAPPY_OK else {
            throw Error(code: .corrupt, description: "snappy: corrupt input")
        }
        return output
    }

    public static func decompress(_ compressed: [UInt8], limit: Int) throws -> [UInt8] {
        try compressed.withUnsafeBytes { buffer throws in try decompress(buffer, limit: limit) }
    }

    /// The compressed bytes, in an array of exactly their size (callers keep many of them).
    public static func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        var length = snappy_max_compressed_length(input.count)
        let scratch = UnsafeMutablePointer<CChar>.allocate(capacity: max(length, 1))
        defer { scratch.deallocate() }
        let status = input.withMemoryRebound(to: CChar.self) { inChars in
            snappy_compress(inChars.baseAddress, inChars.count, scratch, &length)
        }
        precondition(status == SNAPPY_OK, "snappy_compress cannot fail with a buffer of snappy_max_compressed_length")
        return Array(UnsafeRawBufferPointer(start: scratch, count: length))
    }

    public static func compress(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBytes { compress($0) }
    }
}
