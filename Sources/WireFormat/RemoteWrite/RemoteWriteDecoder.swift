import CRemoteWrite
import CProtobufC
import TimeSeriesCore

/// Decodes snappy-compressed remote-write bodies of either version into validated series.
public struct RemoteWriteDecoder: Sendable {
    /// The largest decoded (uncompressed) body accepted.
    public var maxDecodedBytes: Int

    public init(maxDecodedBytes: Int = 32 << 20) {
        self.maxDecodedBytes = maxDecodedBytes
    }

    public func decode(compressed body: UnsafeRawBufferPointer, version: RemoteWriteVersion) throws -> DecodedWrite {
        let raw: [UInt8]
        do {
            raw = try Snappy.decompress(body, limit: maxDecodedBytes)
        } catch let error as Snappy.Error {
            throw RemoteWriteError(error.code == .tooLarge ? .tooLarge : .corruptSnappy, error.description)
        }
        return try decode(protobuf: raw, version: version)
    }

    /// Decodes an uncompressed body; a 1.0 batch keeps `bytes` for the label keys it lends.
    public func decode(protobuf bytes: [UInt8], version: RemoteWriteVersion) throws -> DecodedWrite {
        switch version {
        case .v1: try WriteRequestV1Parser.parse(bytes)
        case .v2: try bytes.withUnsafeBytes { try Self.decodeV2($0) }
        }
    }

    private static func bytes(_ buffer: UnsafeRawBufferPointer) -> UnsafePointer<UInt8>? {
        buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
    }

    /// Remote-write 1.0 through libprotobuf-c (arena-allocated); the server uses
    /// `WriteRequestV1Parser`, which tests check against this.
    static func decodeV1(_ buffer: UnsafeRawBufferPointer) throws -> DecodedWrite {
        let arena = ProtobufArena(expectedBytes: buffer.count * 3)
        return try arena.withAllocator { allocator in
            var empty: UInt8 = 0
            guard let request = withUnsafePointer(to: &empty, { emptyPointer in
                prometheus__write_request__unpack(allocator, buffer.count, bytes(buffer) ?? emptyPointer)
            }) else {
                throw RemoteWriteError(.corruptProtobuf, "protobuf: cannot decode prometheus.WriteRequest")
            }
            // Everything unpacked lives in the arena and goes with it.
            var decoded = DecodedWrite()
            for m in 0..<request.pointee.n_metadata {
                let entry = request.pointee.metadata[m]!.pointee
                decoded.metadata.append((
                    String(cString: entry.metric_family_name),
                    MetricMetadata(type: .init(protobuf: Int(entry.type.rawValue)), help: String(cString: entry.help),
                                   unit: String(cString: entry.unit))))
            }
            let count = request.pointee.n_timeseries
            decoded.batch = WriteBatch(reservingSeries: count, samples: count, bytes: buffer.count)
            for i in 0..<count {
                let ts = request.pointee.timeseries[i]!.pointee
                var validator = LabelValidator()
                for l in 0..<ts.n_labels {
                    let label = ts.labels[l]!.pointee
                    try validator.add(name: cBytes(label.name), value: cBytes(label.value), into: &decoded.batch)
                }
                try validator.finish()
                for s in 0..<ts.n_samples {
                    let sample = ts.samples[s]!.pointee
                    decoded.batch.appendSample(Sample(timestamp: sample.timestamp, value: sample.value))
                }
                try validator.endSeries(&decoded.batch)
                decoded.histograms += ts.n_histograms
                decoded.exemplars += ts.n_exemplars
            }
            return decoded
        }
    }

    static func decodeV2(_ buffer: UnsafeRawBufferPointer) throws -> DecodedWrite {
        try RequestV2Check.check(buffer)
        let arena = ProtobufArena(expectedBytes: buffer.count * 3)
        return try arena.withAllocator { allocator in
            var empty: UInt8 = 0
            guard let request = withUnsafePointer(to: &empty, { emptyPointer in
                io__prometheus__write__v2__request__unpack(allocator, buffer.count, bytes(buffer) ?? emptyPointer)
            }) else {
                throw RemoteWriteError(.corruptProtobuf, "protobuf: cannot decode io.prometheus.write.v2.Request")
            }
            let symbolCount = request.pointee.n_symbols
            func symbol(_ ref: UInt32) throws -> UnsafeRawBufferPointer {
                guard Int(ref) < symbolCount else {
                    throw RemoteWriteError(.invalidSymbolReference, "label reference \(ref) is outside the symbol table of \(symbolCount) entries")
                }
                return cBytes(request.pointee.symbols[Int(ref)])
            }
            var decoded = DecodedWrite()
            let count = request.pointee.n_timeseries
            decoded.batch = WriteBatch(reservingSeries: count, samples: count, bytes: buffer.count)
            for i in 0..<count {
                let ts = request.pointee.timeseries[i]!.pointee
                guard ts.n_labels_refs % 2 == 0 else {
                    throw RemoteWriteError(.invalidSymbolReference, "labels_refs has an odd length of \(ts.n_labels_refs)")
                }
                var validator = LabelValidator()
                for pair in stride(from: 0, to: ts.n_labels_refs, by: 2) {
                    try validator.add(name: symbol(ts.labels_refs[pair]), value: symbol(ts.labels_refs[pair + 1]), into: &decoded.batch)
                }
                try validator.finish()
                for s in 0..<ts.n_samples {
                    let sample = ts.samples[s]!.pointee
                    decoded.batch.appendSample(Sample(timestamp: sample.timestamp, value: sample.value))
                }
                try validator.endSeries(&decoded.batch)
                decoded.histograms += ts.n_histograms
                decoded.exemplars += ts.n_exemplars
                if let metadata = ts.metadata?.pointee,
                   metadata.type.rawValue != 0 || metadata.help_ref != 0 || metadata.unit_ref != 0 {
                    var name = ""
                    for pair in stride(from: 0, to: ts.n_labels_refs, by: 2)
                    where try symbol(ts.labels_refs[pair]).elementsEqual(metricNameLabel.utf8) {
                        name = String(decoding: try symbol(ts.labels_refs[pair + 1]), as: UTF8.self)
                    }
                    decoded.metadata.append((name, MetricMetadata(
                        type: .init(protobuf: Int(metadata.type.rawValue)),
                        help: String(decoding: try symbol(metadata.help_ref), as: UTF8.self),
                        unit: String(decoding: try symbol(metadata.unit_ref), as: UTF8.self))))
                }
            }
            return decoded
        }
    }
}
