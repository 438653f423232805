import Foundation

/// `meta.json` of a block, in the shape Prometheus uses. `maxTime` is exclusive.
public struct BlockMeta: Codable, Sendable, Equatable {
    public struct Stats: Codable, Sendable, Equatable {
        public var numSamples: Int
        public var numSeries: Int
        public var numChunks: Int
    }

    public struct Compaction: Codable, Sendable, Equatable {
        public var level: Int
        public var sources: [String]
    }

    public var ulid: String
    public var minTime: Int64
    public var maxTime: Int64
    public var stats: Stats
    public var compaction: Compaction
    public var version = 1

    static let fileName = "meta.json"

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try encoder.encode(self))
    }
}

/// Block names: 26-character ULIDs (48-bit milliseconds, 80 random bits, Crockford base32), so
/// directory order is creation order.
enum BlockID {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    static func make(now: Date = Date()) -> String {
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        var out: [Character] = []
        for shift in stride(from: 45, through: 0, by: -5) {
            out.append(alphabet[Int((millis >> UInt64(shift)) & 31)])
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<16 { out.append(alphabet[Int(generator.next() & 31)]) }
        return String(out)
    }

    static func isValid(_ name: String) -> Bool {
        name.count == 26 && name.allSatisfy { alphabet.contains($0) }
    }
}
