import Testing
import TimeSeriesCore
@testable import Storage

@Suite struct SeriesKeyTableTests {
    static func key(_ labels: Labels) -> (hash: UInt64, bytes: [UInt8]) {
        let batch = WriteBatch(labels: labels)
        return (batch.hashes[0], batch.withKey(0) { Array($0) })
    }

    @Test func findsEveryKeyThroughGrowthAndRemoval() {
        var table = SeriesKeyTable()
        let all = (0..<5_000).map { Labels(["__name__": "up", "instance": "host-\($0)", "job": "node"]) }
        for (ref, labels) in all.enumerated() {
            let (hash, bytes) = Self.key(labels)
            bytes.withUnsafeBytes { table.insert(SeriesRef(ref), hash: hash, key: $0) }
        }
        #expect(table.count == 5_000)
        for (ref, labels) in all.enumerated() {
            let (hash, bytes) = Self.key(labels)
            #expect(bytes.withUnsafeBytes { table.find(hash: hash, key: $0) } == SeriesRef(ref))
        }
        table.retain { $0 % 3 == 0 }
        #expect(table.count == 1_667)
        for (ref, labels) in all.enumerated() {
            let (hash, bytes) = Self.key(labels)
            let found = bytes.withUnsafeBytes { table.find(hash: hash, key: $0) }
            #expect(found == (ref % 3 == 0 ? SeriesRef(ref) : nil))
        }
    }

    @Test func equalHashesAreToldApartByTheirBytes() {
        var table = SeriesKeyTable()
        let keys: [[UInt8]] = [[1, 0x61], [1, 0x62], [2, 0x61, 0x62], []]
        for (ref, key) in keys.enumerated() {
            key.withUnsafeBytes { table.insert(SeriesRef(ref), hash: 42, key: $0) }
        }
        for (ref, key) in keys.enumerated() {
            #expect(key.withUnsafeBytes { table.find(hash: 42, key: $0) } == SeriesRef(ref))
        }
        #expect([UInt8]([1, 0x63]).withUnsafeBytes { table.find(hash: 42, key: $0) } == nil)
    }

    @Test func keysSeparateNamesFromValues() {
        // Without lengths, {a="bc"} and {ab="c"} would have the same bytes.
        #expect(Self.key(Labels(["a": "bc"])).bytes != Self.key(Labels(["ab": "c"])).bytes)
        #expect(Self.key(Labels(["a": "bc"])).hash != Self.key(Labels(["ab": "c"])).hash)
    }
}
