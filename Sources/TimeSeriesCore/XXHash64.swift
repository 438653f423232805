/// xxHash64 with seed 0, the hash Prometheus (through Go's cespare/xxhash) gives label sets: Surge
/// uses it where its output must match Prometheus', such as rule groups' evaluation offsets.
public func xxHash64<Bytes: Collection>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
    let data = Array(bytes)
    let p1: UInt64 = 0x9E37_79B1_85EB_CA87, p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F, p3: UInt64 = 0x1656_67B1_9E37_79F9
    let p4: UInt64 = 0x85EB_CA77_C2B2_AE63, p5: UInt64 = 0x27D4_EB2F_1656_67C5
    func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
    func round(_ acc: UInt64, _ input: UInt64) -> UInt64 { rotl(acc &+ input &* p2, 31) &* p1 }
    func merge(_ acc: UInt64, _ value: UInt64) -> UInt64 { (acc ^ round(0, value)) &* p1 &+ p4 }
    func read64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(data[at + $1]) << (8 * UInt64($1)) } }
    func read32(_ at: Int) -> UInt64 { (0..<4).reduce(0) { $0 | UInt64(data[at + $1]) << (8 * UInt64($1)) } }

    var index = 0
    var hash: UInt64
    if data.count >= 32 {
        var v1 = p1 &+ p2, v2 = p2, v3: UInt64 = 0, v4 = 0 &- p1
        while index + 32 <= data.count {
            v1 = round(v1, read64(index))
            v2 = round(v2, read64(index + 8))
            v3 = round(v3, read64(index + 16))
            v4 = round(v4, read64(index + 24))
            index += 32
        }
        hash = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
        hash = merge(merge(merge(merge(hash, v1), v2), v3), v4)
    } else {
        hash = p5
    }
    hash = hash &+ UInt64(data.count)
    while index + 8 <= data.count {
        hash ^= round(0, read64(index))
        hash = rotl(hash, 27) &* p1 &+ p4
        index += 8
    }
    if index + 4 <= data.count {
        hash ^= read32(index) &* p1
        hash = rotl(hash, 23) &* p2 &+ p3
        index += 4
    }
    while index < data.count {
        hash ^= UInt64(data[index]) &* p5
        hash = rotl(hash, 11) &* p1
        index += 1
    }
    hash ^= hash >> 33
    hash = hash &* p2
    hash ^= hash >> 29
    hash = hash &* p3
    hash ^= hash >> 32
    return hash
}
