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
        return try raw.withUnsafeBytes { buffer throws in
            try decode(protobuf: buffer, version: version)
        }
    }

    public func decode(protobuf buffer: UnsafeRawBufferPointer, version: RemoteWriteVersion) throws -> DecodedWrite {
        switch version {
        case .v1: try Self.decodeV1(buffer)
        case .v2: try Self.decodeV2(buffer)
        }
    }

    private static func bytes(_ buffer: UnsafeRawBufferPointer) -> UnsafePointer<UInt8>? {
        buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
    }

    static func decodeV1(_ buffer: UnsafeRawBufferPointer) throws -> DecodedWrite {
        var empty: UInt8 = 0
        guard let request = withUnsafePointer(to: &empty, { emptyPointer in
            prometheus__write_request__unpack(nil, buffer.count, bytes(buffer) ?? emptyPointer)
        }) else {
            throw RemoteWriteError(.corruptProtobuf, "protobuf: cannot decode prometheus.WriteRequest")
        }
        defer { prometheus__write_request__free_unpacked(request, nil) }
        var decoded = DecodedWrite()
        decoded.metadata = request.pointee.n_metadata
        decoded.series.reserveCapacity(request.pointee.n_timeseries)
        for i in 0..<request.pointee.n_timeseries {
            let ts = request.pointee.timeseries[i]!.pointee
            var validator = LabelValidator(capacity: ts.n_labels)
            for l in 0..<ts.n_labels {
                let label = ts.labels[l]!.pointee
                try validator.add(name: validatedString(label.name), value: validatedString(label.value))
            }
            let labels = try validator.labels()
            var samples: [Sample] = []
            samples.reserveCapacity(ts.n_samples)
            for s in 0..<ts.n_samples {
                let sample = ts.samples[s]!.pointee
                samples.append(Sample(timestamp: sample.timestamp, value: sample.value))
            }
            decoded.histograms += ts.n_histograms
            decoded.exemplars += ts.n_exemplars
            decoded.series.append(SeriesSamples(labels: labels, samples: samples))
        }
        return decoded
    }

    static func decodeV2(_ buffer: UnsafeRawBufferPointer) throws -> DecodedWrite {
        var empty: UInt8 = 0
        guard let request = withUnsafePointer(to: &empty, { emptyPointer in
            io__prometheus__write__v2__request__unpack(nil, buffer.count, bytes(buffer) ?? emptyPointer)
        }) else {
            throw RemoteWriteError(.corruptProtobuf, "protobuf: cannot decode io.prometheus.write.v2.Request")
        }
        defer { io__prometheus__write__v2__request__free_unpacked(request, nil) }
        let symbolCount = request.pointee.n_symbols
        // Each symbol is checked for UTF-8 once, on first use.
        var symbols = [String??](repeating: nil, count: symbolCount)
        func symbol(_ ref: UInt32) throws -> String? {
            guard Int(ref) < symbolCount else {
                throw RemoteWriteError(.invalidSymbolReference, "label reference \(ref) is outside the symbol table of \(symbolCount) entries")
            }
            if let cached = symbols[Int(ref)] { return cached }
            let value = validatedString(request.pointee.symbols[Int(ref)])
            symbols[Int(ref)] = .some(value)
            return value
        }
        var decoded = DecodedWrite()
        decoded.series.reserveCapacity(request.pointee.n_timeseries)
        for i in 0..<request.pointee.n_timeseries {
            let ts = request.pointee.timeseries[i]!.pointee
            guard ts.n_labels_refs % 2 == 0 else {
                throw RemoteWriteError(.invalidSymbolReference, "labels_refs has an odd length of \(ts.n_labels_refs)")
            }
            var validator = LabelValidator(capacity: ts.n_labels_refs / 2)
            for pair in stride(from: 0, to: ts.n_labels_refs, by: 2) {
                try validator.add(name: symbol(ts.labels_refs[pair]), value: symbol(ts.labels_refs[pair + 1]))
            }
            let labels = try validator.labels()
            var samples: [Sample] = []
            samples.reserveCapacity(ts.n_samples)
            for s in 0..<ts.n_samples {
                let sample = ts.samples[s]!.pointee
                samples.append(Sample(timestamp: sample.timestamp, value: sample.value))
            }
            decoded.histograms += ts.n_histograms
            decoded.exemplars += ts.n_exemplars
            if ts.metadata != nil { decoded.metadata += 1 }
            decoded.series.append(SeriesSamples(labels: labels, samples: samples))
        }
        return decoded
    }
}
