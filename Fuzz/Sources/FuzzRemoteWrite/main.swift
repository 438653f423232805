import FuzzSupport
import WireFormat

// The remote-write decoders: 1.0 and 2.0 messages, raw or snappy-compressed, chosen by the first byte.
let decoder = RemoteWriteDecoder(maxDecodedBytes: 1 << 20)
FuzzDriver.run { bytes in
    var input = FuzzInput(bytes)
    let choice = input.byte()
    let version: RemoteWriteVersion = choice & 1 == 0 ? .v1 : .v2
    let body = input.rest
    if choice & 2 == 0 {
        _ = try? decoder.decode(protobuf: body, version: version)
    } else {
        _ = body.withUnsafeBytes { try? decoder.decode(compressed: $0, version: version) }
    }
}
