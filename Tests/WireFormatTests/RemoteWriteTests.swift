import CRemoteWrite
import SurgeTestKit
import TimeSeriesCore
import Testing
@testable import WireFormat

@Suite struct RemoteWriteTests {
    static let series: [SeriesSamples] = [
        SeriesSamples(
            labels: Labels(["__name__": "up", "job": "api", "instance": "10.0.0.1:80"]),
            samples: [Sample(timestamp: 1_700_000_000_000, value: 1), Sample(timestamp: 1_700_000_015_000, value: 0)]),
        SeriesSamples(
            labels: Labels(["__name__": "http_requests_total", "code": "200", "path": "/über"]),
            samples: [Sample(timestamp: -5, value: .infinity), Sample(timestamp: 3, value: StaleNaN.value),
                      Sample(timestamp: 4, value: -1.5), Sample(timestamp: 5, value: 1e-300)]),
    ]

    @Test(arguments: RemoteWriteVersion.allCases)
    func roundTrip(version: RemoteWriteVersion) throws {
        let body = RemoteWriteEncoder.encode(Self.series.map(RemoteWriteEncoder.WireSeries.init), version: version)
        let decoded = try body.withUnsafeBytes { try RemoteWriteDecoder().decode(compressed: $0, version: version) }
        #expect(decoded.series.map(\.labels) == Self.series.map(\.labels))
        #expect(decoded.series.map(\.samples) == Self.series.map(\.samples))
        // The stale marker keeps its exact NaN payload.
        #expect(decoded.series[1].samples[1].value.bitPattern == StaleNaN.bitPattern)
    }

    /// Bytes written by hand from the protobuf encoding rules, independent of the encoder:
    /// WriteRequest{timeseries: [{labels: [{__name__, up}], samples: [{value: 1, timestamp: 1000}]}]}.
    @Test func decodesHandWrittenV1Bytes() throws {
        let label: [UInt8] = [0x0a, 8] + Array("__name__".utf8) + [0x12, 2] + Array("up".utf8)
        let sample: [UInt8] = [0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0xe8, 0x07]
        let timeSeries: [UInt8] = [0x0a, UInt8(label.count)] + label + [0x12, UInt8(sample.count)] + sample
        let request: [UInt8] = [0x0a, UInt8(timeSeries.count)] + timeSeries
        let decoded = try RemoteWriteDecoder().decode(protobuf: request, version: .v1)
        #expect(decoded.series.count == 1)
        #expect(decoded.series[0].labels == Labels(["__name__": "up"]))
        #expect(decoded.series[0].samples == [Sample(timestamp: 1000, value: 1)])
    }

    /// Request{symbols: ["", "__name__", "up"], timeseries: [{labels_refs: [1, 2], samples: [{value: 2, timestamp: 7}]}]}.
    @Test func decodesHandWrittenV2Bytes() throws {
        var request: [UInt8] = []
        for symbol in ["", "__name__", "up"] { request += [0x22, UInt8(symbol.utf8.count)] + Array(symbol.utf8) }
        let sample: [UInt8] = [0x09, 0, 0, 0, 0, 0, 0, 0x00, 0x40, 0x10, 7]
        let timeSeries: [UInt8] = [0x0a, 2, 1, 2, 0x12, UInt8(sample.count)] + sample
        request += [0x2a, UInt8(timeSeries.count)] + timeSeries
        let decoded = try RemoteWriteDecoder().decode(protobuf: request, version: .v2)
        #expect(decoded.series.map(\.labels) == [Labels(["__name__": "up"])])
        #expect(decoded.series[0].samples == [Sample(timestamp: 7, value: 2)])
    }

    @Test(arguments: RemoteWriteVersion.allCases)
    func corruptProtobufIsRejected(version: RemoteWriteVersion) {
        let garbage: [UInt8] = [0x0a, 0xff, 0xff, 0x01, 0x02]
        #expect {
            try RemoteWriteDecoder().decode(protobuf: garbage, version: version)
        } throws: { ($0 as? RemoteWriteError)?.code == .corruptProtobuf }
    }

    static let invalidLabelSets: [([Label], String)] = [
        ([Label("", "x"), Label("job", "a")], "label name is empty"),
        ([Label("job", "a"), Label("job", "b")], "duplicate label name"),
        ([Label("job", "a"), Label("__name__", "up")], "not sorted"),
        // Names compared eight bytes at a time: differences past the first word, and prefixes.
        ([Label("container_zz", "a"), Label("container_aa", "b")], "not sorted"),
        ([Label("container_name", "a"), Label("container_name", "b")], "duplicate label name"),
        ([Label("container_name", "a"), Label("container", "b")], "not sorted"),
        ([Label("container", "a"), Label("container_name", "b"), Label("container_namf", "c")], ""),
        ([Label("__name__", "up"), Label("job", "\u{FFFF}bad")], ""),  // valid UTF-8: accepted
        // A length of 128 or more has a byte with the high bit set in the key: still plain ASCII.
        ([Label("__name__", "up"), Label("id", String(repeating: "a", count: 200))], ""),
    ]

    @Test(arguments: RemoteWriteVersion.allCases)
    func invalidLabelsAreRejected(version: RemoteWriteVersion) throws {
        for (labels, expected) in Self.invalidLabelSets {
            let body = RemoteWriteEncoder.encode([.init(labels: labels, samples: [Sample(timestamp: 1, value: 1)])], version: version)
            if expected.isEmpty {
                let decoded = try body.withUnsafeBytes { try RemoteWriteDecoder().decode(compressed: $0, version: version) }
                #expect(decoded.batch.labels(of: 0) == Labels(sortedUnique: labels))
                #expect(decoded.batch.hashes == [WriteBatch.hash(of: Labels(sortedUnique: labels))])
                continue
            }
            #expect {
                try body.withUnsafeBytes { try RemoteWriteDecoder().decode(compressed: $0, version: version) }
            } throws: { error in
                guard let error = error as? RemoteWriteError else { return false }
                return error.code == .invalidLabels && error.description.contains(expected)
            }
        }
    }

    @Test func invalidUTF8IsRejected() throws {
        // A label value holding the byte 0xff, written by hand.
        let label: [UInt8] = [0x0a, 3] + Array("job".utf8) + [0x12, 1, 0xff]
        let timeSeries: [UInt8] = [0x0a, UInt8(label.count)] + label
        let request: [UInt8] = [0x0a, UInt8(timeSeries.count)] + timeSeries
        #expect {
            try RemoteWriteDecoder().decode(protobuf: request, version: .v1)
        } throws: { error in
            (error as? RemoteWriteError)?.description.contains("not valid UTF-8") == true
        }
    }

    @Test func v2SymbolReferenceOutOfRangeIsRejected() {
        var request: [UInt8] = [0x22, 0]  // symbols: [""]
        let timeSeries: [UInt8] = [0x0a, 2, 5, 6]
        request += [0x2a, UInt8(timeSeries.count)] + timeSeries
        #expect {
            try RemoteWriteDecoder().decode(protobuf: request, version: .v2)
        } throws: { ($0 as? RemoteWriteError)?.code == .invalidSymbolReference }
    }

    @Test func emptyValuesAreDroppedAsAbsent() throws {
        let body = RemoteWriteEncoder.encode(
            [.init(labels: [Label("__name__", "up"), Label("zone", "")], samples: [Sample(timestamp: 1, value: 1)])], version: .v1)
        let decoded = try body.withUnsafeBytes { try RemoteWriteDecoder().decode(compressed: $0, version: .v1) }
        #expect(decoded.series[0].labels == Labels(["__name__": "up"]))
    }

    @Test(arguments: [
        (nil as String?, RemoteWriteVersion.v1 as RemoteWriteVersion?),
        ("application/x-protobuf", .v1),
        ("application/x-protobuf;proto=prometheus.WriteRequest", .v1),
        ("application/x-protobuf; proto=io.prometheus.write.v2.Request", .v2),
        ("application/x-protobuf;proto=io.prometheus.write.v3.Request", nil),
        ("application/json", nil),
    ])
    func contentTypeSelectsVersion(contentType: String?, expected: RemoteWriteVersion?) {
        #expect(RemoteWriteVersion(contentType: contentType) == expected)
    }
}

/// A body that does not decode as the message its content type declares is refused, never
/// acknowledged with nothing stored.
@Suite struct DeclaredMessageTests {
    static let series = RemoteWriteTests.series.map(RemoteWriteEncoder.WireSeries.init)

    @Test func aVersion1BodyDeclaredAs2IsRefused() throws {
        let v1 = RemoteWriteEncoder.protobuf(Self.series, version: .v1)
        #expect {
            try RemoteWriteDecoder().decode(protobuf: v1, version: .v2)
        } throws: { error in
            "\(error)".contains("field 1 is a remote-write 1.0 WriteRequest's") && (error as? RemoteWriteError)?.code == .corruptProtobuf
        }
    }

    @Test func aVersion2BodyDeclaredAs1IsRefused() throws {
        let v2 = RemoteWriteEncoder.protobuf(Self.series, version: .v2)
        #expect {
            try RemoteWriteDecoder().decode(protobuf: v2, version: .v1)
        } throws: { error in
            "\(error)".contains("is a remote-write 2.0 Request's") && (error as? RemoteWriteError)?.code == .corruptProtobuf
        }
    }

    /// Request{symbols: ["", "__name__", "up"], timeseries: [{labels_refs: [1, 2 + 2^40]}]}: libprotobuf-c
    /// would read the second reference as 2.
    @Test(arguments: [true, false])
    func aReferenceBeyond32BitsIsRefused(packed: Bool) {
        var request: [UInt8] = []
        for symbol in ["", "__name__", "up"] { request += [0x22, UInt8(symbol.utf8.count)] + Array(symbol.utf8) }
        func varint(_ value: UInt64) -> [UInt8] {
            var value = value, out: [UInt8] = []
            while value >= 0x80 { out.append(UInt8(value & 0x7f) | 0x80); value >>= 7 }
            return out + [UInt8(value)]
        }
        let refs = varint(1) + varint(2 + (1 << 40))
        let timeSeries: [UInt8] = packed ? [0x0a, UInt8(refs.count)] + refs : [0x08] + varint(1) + [0x08] + varint(2 + (1 << 40))
        request += [0x2a, UInt8(timeSeries.count)] + timeSeries
        #expect {
            try RemoteWriteDecoder().decode(protobuf: request, version: .v2)
        } throws: { error in
            (error as? RemoteWriteError)?.code == .invalidSymbolReference && "\(error)".contains("1099511627778 does not fit in 32 bits")
        }
    }
}

/// The direct 1.0 encoder writes exactly what protobuf-c writes.
@Suite struct DirectV1EncoderTests {
    @Test func matchesProtobufCByteForByte() {
        var random = SplitMix(seed: 26)
        let texts = ["", "a", "job", "node-exporter", String(repeating: "x", count: 200), "ünïcødé", "__name__"]
        let values: [Double] = [0, -0.0, 1, -1.5, .infinity, .nan, 1e300, 5e-324]
        let times: [Int64] = [0, 1, -1, 1_700_000_000_000, .max, .min, 127, 128]
        for _ in 0..<200 {
            let series = (0..<Int.random(in: 0...5, using: &random)).map { _ in
                RemoteWriteEncoder.WireSeries(
                    labels: (0..<Int.random(in: 0...6, using: &random)).map { _ in Label(texts.randomElement(using: &random)!, texts.randomElement(using: &random)!) },
                    samples: (0..<Int.random(in: 0...4, using: &random)).map { _ in
                        Sample(timestamp: times.randomElement(using: &random)!, value: values.randomElement(using: &random)!)
                    })
            }
            var arena = CArena()
            let expected = RemoteWriteEncoder.encodeV1(series, metadata: [:], arena: &arena)
            arena.release()
            // One entry per sample, with labels encoded beforehand, is the same as series of one sample.
            let single = series.flatMap { one in one.samples.map { RemoteWriteEncoder.WireSeries(labels: one.labels, samples: [$0]) } }
            var singleArena = CArena()
            let expectedSingle = RemoteWriteEncoder.encodeV1(single, metadata: [:], arena: &singleArena)
            singleArena.release()
            #expect(RemoteWriteEncoder.protobufV1(eachSample: single, labels: { RemoteWriteEncoder.LabelBlock($0.labels) }) { $0.samples[0] } == expectedSingle)
            let direct = RemoteWriteEncoder.directV1(series)
            #expect(direct == expected, "first difference at byte \(Array(zip(direct, expected)).firstIndex { $0.0 != $0.1 } ?? min(direct.count, expected.count)) of \(expected.count)")
        }
    }
}
