import TimeSeriesCore

/// A direct reader of remote-write 1.0 `prometheus.WriteRequest` bytes into a `WriteBatch`: one pass,
/// no intermediate messages and no allocation beyond the batch's own arrays.
///
/// Fields read: WriteRequest.timeseries (1) and .metadata (3: type 1, metric_family_name 2, help 4,
/// unit 5); TimeSeries.labels (1),
/// .samples (2), .exemplars (3) and .histograms (4, counted); Label.name (1), .value (2);
/// Sample.value (1, double), .timestamp (2, int64). Unknown fields are skipped by wire type, as
/// protobuf requires. Truncated or malformed input is a `.corruptProtobuf` error.
///
/// A series whose labels are encoded canonically (see `WriteBatch`), as Prometheus and its peers
/// send them, keeps them where they are: its key is that range of the request, not a copy.
struct WriteRequestV1Parser {
    private let bytes: UnsafeRawBufferPointer
    private let wire: [UInt8]

    private init(_ bytes: UnsafeRawBufferPointer, wire: [UInt8]) {
        self.bytes = bytes
        self.wire = wire
    }

    /// Reads a whole request; the batch keeps `wire` alive for the keys it lends.
    static func parse(_ wire: [UInt8]) throws -> DecodedWrite {
        try wire.withUnsafeBytes { try WriteRequestV1Parser($0, wire: wire).parse() }
    }

    private static func corrupt(_ what: String) -> RemoteWriteError {
        RemoteWriteError(.corruptProtobuf, "protobuf: cannot decode prometheus.WriteRequest: \(what)")
    }

    func parse() throws -> DecodedWrite {
        var decoded = DecodedWrite()
        decoded.batch = WriteBatch(wire: wire, reservingSeries: bytes.count / 256, samples: bytes.count / 256)
        var offset = 0
        while offset < bytes.count {
            let (field, wireType) = try key(&offset)
            switch (field, wireType) {
            case (1, 2):
                let end = try lengthDelimited(&offset)
                try timeSeries(offset, end, into: &decoded)
                offset = end
            case (3, 2):
                let end = try lengthDelimited(&offset)
                decoded.metadata.append(try metricMetadata(offset, end))
                offset = end
            case (4, _), (5, _):
                // A 2.0 Request's symbols and series: acknowledging it as 1.0 would store nothing.
                throw Self.corrupt("field \(field) is a remote-write 2.0 Request's; send 2.0 bodies with "
                                   + "Content-Type: \(RemoteWriteVersion.v2ContentType)")
            default:
                try skip(wireType, &offset, end: bytes.count)
            }
        }
        return decoded
    }

    private func metricMetadata(_ start: Int, _ end: Int) throws -> (name: String, metadata: MetricMetadata) {
        var name = "", metadata = MetricMetadata(type: .unknown)
        var offset = start
        while offset < end {
            let (field, wireType) = try key(&offset, end: end)
            switch (field, wireType) {
            case (1, 0):
                metadata.type = MetricMetadata.Kind(protobuf: Int(truncatingIfNeeded: try varint(&offset, end: end)))
            case (2, 2), (4, 2), (5, 2):
                let stringEnd = try lengthDelimited(&offset, end: end)
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<stringEnd]), as: UTF8.self)
                switch field {
                case 2: name = text
                case 4: metadata.help = text
                default: metadata.unit = text
                }
                offset = stringEnd
            default:
                try skip(wireType, &offset, end: end)
            }
        }
        return (name, metadata)
    }

    private func timeSeries(_ start: Int, _ end: Int, into decoded: inout DecodedWrite) throws {
        var validator = LabelValidator()
        // The labels' range, while they are contiguous and canonically encoded.
        var keyStart = -1, keyEnd = -1
        var canonical = true
        var offset = start
        while offset < end {
            let fieldStart = offset
            let (field, wireType) = try key(&offset, end: end)
            switch (field, wireType) {
            case (1, 2):
                let tagEnd = offset
                let labelEnd = try lengthDelimited(&offset, end: end)
                let lent = canonicalLabelFields(offset, labelEnd)
                let (name, value) = try lent ?? labelFields(offset, labelEnd)
                let kept = try validator.check(name: slice(name), value: slice(value))
                if canonical {
                    if keyStart < 0 { keyStart = fieldStart } else if fieldStart != keyEnd { canonical = false }
                    // The Label field's own tag and length must be minimal too.
                    canonical = canonical && kept && lent != nil && tagEnd == fieldStart + 1
                        && offset == tagEnd + WriteBatch.varintLength(UInt64(labelEnd - offset))
                    keyEnd = labelEnd
                }
                offset = labelEnd
            case (2, 2):
                let sampleEnd = try lengthDelimited(&offset, end: end)
                var value = 0.0
                var timestamp: Int64 = 0
                while offset < sampleEnd {
                    let (sampleField, sampleWire) = try key(&offset, end: sampleEnd)
                    if sampleField == 1 && sampleWire == 1 {
                        guard offset + 8 <= sampleEnd else { throw Self.corrupt("truncated sample value") }
                        value = Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                        offset += 8
                    } else if sampleField == 2 && sampleWire == 0 {
                        timestamp = Int64(bitPattern: try varint(&offset, end: sampleEnd))
                    } else {
                        try skip(sampleWire, &offset, end: sampleEnd)
                    }
                }
                decoded.batch.appendSample(Sample(timestamp: timestamp, value: value))
            case (3, 2):
                offset = try lengthDelimited(&offset, end: end)
                decoded.exemplars += 1
            case (4, 2):
                offset = try lengthDelimited(&offset, end: end)
                decoded.histograms += 1
            default:
                try skip(wireType, &offset, end: end)
            }
        }
        try validator.finish()
        let ascii: Bool
        if canonical {
            ascii = decoded.batch.endWireSeries(key: keyStart..<keyEnd)
        } else {
            try copyLabels(start, end, into: &decoded.batch)
            ascii = decoded.batch.endSeries()
        }
        try LabelValidator.checkUTF8(ofLast: decoded.batch, ascii: ascii)
    }

    /// The name and value of a `Label` message encoded as a key encodes it: the name field, then the
    /// value field (not empty), lengths minimal, nothing else; nil for any other encoding.
    @inline(__always)
    private func canonicalLabelFields(_ start: Int, _ end: Int) -> (name: Range<Int>, value: Range<Int>)? {
        var offset = start
        guard let name = stringField(tag: 0x0A, &offset, end), let value = stringField(tag: 0x12, &offset, end),
              offset == end, !value.isEmpty else { return nil }
        return (name, value)
    }

    /// A length-delimited field with this one-byte tag and a minimal length at `offset`, or nil.
    @inline(__always)
    private func stringField(tag: UInt8, _ offset: inout Int, _ end: Int) -> Range<Int>? {
        guard offset < end, bytes[offset] == tag else { return nil }
        offset += 1
        let lengthStart = offset
        guard let length = try? varint(&offset, end: end), offset - lengthStart == WriteBatch.varintLength(length),
              length <= UInt64(end - offset) else { return nil }
        offset += Int(length)
        return offset - Int(length)..<offset
    }

    /// The name and value of a `Label` message (the last of each, as protobuf reads repeated fields
    /// of a scalar); empty ranges for absent ones.
    @inline(__always)
    private func labelFields(_ start: Int, _ end: Int) throws -> (name: Range<Int>, value: Range<Int>) {
        var name = start..<start, value = start..<start
        var offset = start
        while offset < end {
            let (labelField, labelWire) = try key(&offset, end: end)
            if labelWire == 2 && (labelField == 1 || labelField == 2) {
                let stringEnd = try lengthDelimited(&offset, end: end)
                if labelField == 1 { name = offset..<stringEnd } else { value = offset..<stringEnd }
                offset = stringEnd
            } else {
                try skip(labelWire, &offset, end: end)
            }
        }
        return (name, value)
    }

    /// Builds the key of a series whose labels are not canonically encoded, from its pairs with
    /// values (already checked).
    private func copyLabels(_ start: Int, _ end: Int, into batch: inout WriteBatch) throws {
        var offset = start
        while offset < end {
            let (field, wireType) = try key(&offset, end: end)
            guard field == 1 && wireType == 2 else {
                try skip(wireType, &offset, end: end)
                continue
            }
            let labelEnd = try lengthDelimited(&offset, end: end)
            let (name, value) = try labelFields(offset, labelEnd)
            if !value.isEmpty { batch.appendLabel(name: slice(name), value: slice(value)) }
            offset = labelEnd
        }
    }

    @inline(__always)
    private func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    @inline(__always)
    private func varint(_ offset: inout Int, end: Int) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < end {
            let byte = bytes[offset]
            offset += 1
            if shift == 63 && byte > 1 { throw Self.corrupt("varint overflows 64 bits") }
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { throw Self.corrupt("varint too long") }
        }
        throw Self.corrupt("truncated varint")
    }

    @inline(__always)
    private func key(_ offset: inout Int, end: Int? = nil) throws -> (field: UInt64, wireType: UInt64) {
        let key = try varint(&offset, end: end ?? bytes.count)
        guard key >> 3 != 0 else { throw Self.corrupt("field number 0") }
        return (key >> 3, key & 7)
    }

    /// Reads a length and returns where the field ends; the offset is left at its first byte.
    @inline(__always)
    private func lengthDelimited(_ offset: inout Int, end: Int? = nil) throws -> Int {
        let limit = end ?? bytes.count
        let length = try varint(&offset, end: limit)
        guard length <= UInt64(limit - offset) else { throw Self.corrupt("length \(length) runs past the end") }
        return offset + Int(length)
    }

    private func skip(_ wireType: UInt64, _ offset: inout Int, end: Int) throws {
        switch wireType {
        case 0: _ = try varint(&offset, end: end)
        case 1: guard offset + 8 <= end else { throw Self.corrupt("truncated fixed64") }; offset += 8
        case 2: offset = try lengthDelimited(&offset, end: end)
        case 5: guard offset + 4 <= end else { throw Self.corrupt("truncated fixed32") }; offset += 4
        default: throw Self.corrupt("unsupported wire type \(wireType)")
        }
    }
}
