import TimeSeriesCore
import Testing
@testable import WireFormat

/// Series keys are labels in remote-write 1.0's own encoding: a request that encodes them that way
/// lends its bytes, one that does not gets a built key, and both name a series by the same bytes.
@Suite struct WireKeyTests {
    static let labels = Labels(["__name__": "container_cpu_usage_seconds_total", "id": String(repeating: "x", count: 300),
                                "namespace": "shop", "pod": "web-ü-1"])

    static func varint(_ value: Int) -> [UInt8] {
        var out: [UInt8] = []
        var rest = UInt64(value)
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        return out + [UInt8(rest)]
    }

    static func field(_ tag: UInt8, _ bytes: [UInt8]) -> [UInt8] { [tag] + varint(bytes.count) + bytes }

    static func canonicalLabel(_ name: String, _ value: String) -> [UInt8] {
        field(0x0A, field(0x0A, Array(name.utf8)) + field(0x12, Array(value.utf8)))
    }

    static let sample: [UInt8] = field(0x12, [0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0xe8, 0x07])

    static func request(_ timeSeries: [UInt8]) -> [UInt8] { field(0x0A, timeSeries) }

    static func key(of labels: Labels) -> [UInt8] { WriteBatch(labels: labels).withKey(0) { Array($0) } }

    @Test func builtKeyIsTheProtobufEncodingOfTheLabels() {
        let expected = Self.labels.pairs.flatMap { Self.canonicalLabel($0.name, $0.value) }
        #expect(Self.key(of: Self.labels) == expected)
        #expect(WriteBatch(labels: Self.labels).labels(of: 0) == Self.labels)
    }

    @Test func canonicalRequestLendsItsBytes() throws {
        let body = Self.request(Self.labels.pairs.flatMap { Self.canonicalLabel($0.name, $0.value) } + Self.sample)
        let decoded = try RemoteWriteDecoder().decode(protobuf: body, version: .v1)
        #expect(decoded.batch.bytes.isEmpty, "no key was copied")
        #expect(decoded.batch.withKey(0) { Array($0) } == Self.key(of: Self.labels))
        #expect(decoded.batch.hashes == [WriteBatch.hash(of: Self.labels)])
        #expect(decoded.series[0].labels == Self.labels)
        #expect(decoded.series[0].samples == [Sample(timestamp: 1000, value: 1)])
    }

    /// Label encodings protobuf allows but a key does not use: each gets a built key equal to the
    /// canonical one.
    static let otherEncodings: [(String, [UInt8])] = {
        let pairs = labels.pairs
        func rest(from index: Int) -> [UInt8] { pairs[index...].flatMap { canonicalLabel($0.name, $0.value) } }
        let first = pairs[0]
        return [
            ("value before name", field(0x0A, field(0x12, Array(first.value.utf8)) + field(0x0A, Array(first.name.utf8))) + rest(from: 1)),
            ("non-minimal name length", field(0x0A, [0x0A, 0x80 | UInt8(first.name.utf8.count), 0x00] + Array(first.name.utf8)
                                                   + field(0x12, Array(first.value.utf8))) + rest(from: 1)),
            ("unknown field in a label", field(0x0A, field(0x0A, Array(first.name.utf8)) + field(0x12, Array(first.value.utf8)) + [0x18, 0x01])
                + rest(from: 1)),
            ("name given twice", field(0x0A, field(0x0A, Array("zzz".utf8)) + field(0x0A, Array(first.name.utf8)) + field(0x12, Array(first.value.utf8)))
                + rest(from: 1)),
            ("empty value dropped", canonicalLabel(first.name, first.value) + field(0x0A, field(0x0A, Array("container".utf8))) + rest(from: 1)),
            ("labels split by a sample", canonicalLabel(first.name, first.value) + sample + rest(from: 1)),
        ]
    }()

    @Test(arguments: otherEncodings.map(\.0))
    func otherEncodingsGetTheCanonicalKey(name: String) throws {
        let labels = Self.otherEncodings.first { $0.0 == name }!.1
        let decoded = try RemoteWriteDecoder().decode(protobuf: Self.request(labels + Self.sample), version: .v1)
        #expect(!decoded.batch.bytes.isEmpty, "the key was built")
        #expect(decoded.batch.withKey(0) { Array($0) } == Self.key(of: Self.labels))
        #expect(decoded.batch.hashes == [WriteBatch.hash(of: Self.labels)])
        #expect(decoded.series[0].labels == Self.labels)
    }

    @Test func keysOfManySeriesInOneRequestStayApart() throws {
        let all = (0..<50).map { Labels(["__name__": "up", "instance": "host-\($0)", "job": String(repeating: "j", count: $0 * 5)]) }
        var body: [UInt8] = []
        for (index, labels) in all.enumerated() {
            var encoded = labels.pairs.flatMap { Self.canonicalLabel($0.name, $0.value) }
            // Every third series has a label with an empty value, so lent and built keys alternate.
            if index % 3 == 0 { encoded += Self.field(0x0A, Self.field(0x0A, Array("zz".utf8))) }
            // Every fourth has a sample before its labels, which still lend their bytes.
            body += Self.request(index % 4 == 0 ? Self.sample + encoded + Self.sample : encoded + Self.sample)
        }
        let decoded = try RemoteWriteDecoder().decode(protobuf: body, version: .v1)
        #expect(decoded.series.map(\.labels) == all)
        #expect(decoded.batch.hashes == all.map(WriteBatch.hash(of:)))
        #expect(decoded.series.map(\.samples.count) == all.indices.map { $0 % 4 == 0 ? 2 : 1 })
    }

    @Test func invalidUTF8InALentKeyIsRejected() {
        let body = Self.request(Self.canonicalLabel("__name__", "up") + Self.field(0x0A, Self.field(0x0A, Array("job".utf8)) + Self.field(0x12, [0xff])))
        #expect {
            try RemoteWriteDecoder().decode(protobuf: body, version: .v1)
        } throws: { ($0 as? RemoteWriteError)?.description.contains("not valid UTF-8") == true }
    }

    @Test func forEachPairStopsAtDamagedKeys() {
        let key = Self.key(of: Self.labels)
        for length in 0..<key.count {
            var pairs = 0
            key[..<length].withUnsafeBytes { WriteBatch.forEachPair(inKey: $0) { _, _ in pairs += 1 } }
            #expect(pairs < Self.labels.pairs.count)
        }
    }
}
