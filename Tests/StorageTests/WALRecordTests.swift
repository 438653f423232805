import SurgeTestKit
import TimeSeriesCore
import Testing
@testable import Storage

@Suite struct WALRecordTests {
    @Test func recordsRoundTrip() throws {
        let records: [WALRecord] = [
            .series([(SeriesRef(0), Labels(["__name__": "up", "job": "x"])), (SeriesRef(7), Labels(["a": "ü"]))]),
            .samples([(SeriesRef(0), Int64(-5), 1.5), (SeriesRef(7), Int64(1) << 50, StaleNaN.value)]),
        ]
        for record in records {
            var bytes: [UInt8] = []
            record.encode(into: &bytes)
            let decoded = bytes.withUnsafeBytes { buffer in
                WALRecord.decode(kind: buffer[0], payload: UnsafeRawBufferPointer(rebasing: buffer[WALRecord.headerSize...]))
            }
            #expect(decoded == record)
        }
    }

    @Test func crc32cMatchesTheKnownCheckValue() {
        // The standard check value of CRC-32C over "123456789".
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func crc32cEightBytesAtATimeMatchesTheBitwiseDefinition() {
        func bitwise(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            }
            return crc ^ 0xFFFF_FFFF
        }
        var rng = SplitMix(seed: 21)
        let bytes = (0..<300).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        for start in 0..<9 {
            for end in stride(from: start, through: bytes.count, by: 7) {
                let slice = bytes[start..<end]
                #expect(slice.withUnsafeBytes { CRC32C.checksum($0) } == bitwise(slice))
            }
        }
    }
}
