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
}
