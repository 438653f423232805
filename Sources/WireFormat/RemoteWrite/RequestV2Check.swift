/// What libprotobuf-c lets through in a remote-write 2.0 body and Surge must not: a 1.0
/// WriteRequest's fields (1 to 3, reserved in 2.0), which would otherwise decode as an empty request
/// and be acknowledged with nothing stored, and label references beyond 32 bits, which it would
/// truncate to another symbol. One pass over the wire, reading only keys and the references.
enum RequestV2Check {
    static func check(_ bytes: UnsafeRawBufferPointer) throws {
        var reader = Reader(bytes: bytes, offset: 0, end: bytes.count)
        while !reader.done {
            let (field, wireType) = try reader.key()
            switch (field, wireType) {
            case (1...3, _):
                throw RemoteWriteError(.corruptProtobuf, "protobuf: cannot decode io.prometheus.write.v2.Request: field \(field) is a "
                                       + "remote-write 1.0 WriteRequest's; send 1.0 bodies with Content-Type: \(RemoteWriteVersion.v1ContentType)")
            case (5, 2):
                var series = try reader.nested()
                while !series.done {
                    let (inner, innerType) = try series.key()
                    switch (inner, innerType) {
                    case (1, 2):
                        var refs = try series.nested()
                        while !refs.done { try checkReference(try refs.varint()) }
                    case (1, 0):
                        try checkReference(try series.varint())
                    default:
                        try series.skip(innerType)
                    }
                }
            default:
                try reader.skip(wireType)
            }
        }
    }

    private static func checkReference(_ value: UInt64) throws {
        guard value <= UInt64(UInt32.max) else {
            throw RemoteWriteError(.invalidSymbolReference, "label reference \(value) does not fit in 32 bits")
        }
    }

    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset: Int
        let end: Int

        var done: Bool { offset >= end }

        static func corrupt() -> RemoteWriteError {
            RemoteWriteError(.corruptProtobuf, "protobuf: cannot decode io.prometheus.write.v2.Request")
        }

        mutating func varint() throws -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while offset < end {
                let byte = bytes[offset]
                offset += 1
                if shift == 63 && byte > 1 { throw Self.corrupt() }
                value |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
                if shift > 63 { throw Self.corrupt() }
            }
            throw Self.corrupt()
        }

        mutating func key() throws -> (field: UInt64, wireType: UInt64) {
            let key = try varint()
            return (key >> 3, key & 7)
        }

        /// The length-delimited field that starts here, as a reader of its own; this one moves past it.
        mutating func nested() throws -> Reader {
            let length = try varint()
            guard length <= UInt64(end - offset) else { throw Self.corrupt() }
            let inner = Reader(bytes: bytes, offset: offset, end: offset + Int(length))
            offset += Int(length)
            return inner
        }

        mutating func skip(_ wireType: UInt64) throws {
            switch wireType {
            case 0: _ = try varint()
            case 1: try advance(8)
            case 2: _ = try nested()
            case 5: try advance(4)
            default: throw Self.corrupt()
            }
        }

        private mutating func advance(_ count: Int) throws {
            guard end - offset >= count else { throw Self.corrupt() }
            offset += count
        }
    }
}
