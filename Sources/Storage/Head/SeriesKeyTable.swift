#if canImport(Glibc)
import Glibc
#endif
import TimeSeriesCore

/// Series references by the bytes of their keys (`WriteBatch`'s label encoding): open addressing
/// with linear probing over a power-of-two table that keeps each key's full hash beside its
/// reference, so a lookup hashes nothing and compares key bytes only on a hash match. Keys live back
/// to back in one byte arena.
struct SeriesKeyTable: Sendable {
    private struct Slot {
        var hash: UInt64 = 0
        /// The reference plus one; zero marks an empty slot.
        var refPlusOne: UInt32 = 0
    }

    private var slots = [Slot](repeating: Slot(), count: 1024)
    /// Per reference: where its key starts in `arena` (-1 for none) and how long it is.
    private var keyStart: [Int] = []
    private var keyLength: [UInt32] = []
    private var arena: [UInt8] = []
    private(set) var count = 0

    func find(hash: UInt64, key: UnsafeRawBufferPointer) -> SeriesRef? {
        let mask = slots.count - 1
        return slots.withUnsafeBufferPointer { slots in
            keyStart.withUnsafeBufferPointer { starts in
                keyLength.withUnsafeBufferPointer { lengths in
                    arena.withUnsafeBytes { arena in
                        var index = Int(truncatingIfNeeded: hash) & mask
                        while true {
                            let slot = slots[index]
                            if slot.refPlusOne == 0 { return nil }
                            if slot.hash == hash {
                                let ref = Int(slot.refPlusOne - 1)
                                if Int(lengths[ref]) == key.count
                                    && (key.isEmpty || memcmp(arena.baseAddress! + starts[ref], key.baseAddress!, key.count) == 0) {
                                    return SeriesRef(ref)
                                }
                            }
                            index = (index + 1) & mask
                        }
                    }
                }
            }
        }
    }

    /// Adds the key of `ref`, which must not be in the table yet.
    mutating func insert(_ ref: SeriesRef, hash: UInt64, key: UnsafeRawBufferPointer) {
        let position = Int(ref)
        if keyStart.count <= position {
            keyStart.append(contentsOf: repeatElement(-1, count: position + 1 - keyStart.count))
            keyLength.append(contentsOf: repeatElement(0, count: position + 1 - keyLength.count))
        }
        keyStart[position] = arena.count
        keyLength[position] = UInt32(key.count)
        arena.append(contentsOf: key)
        count += 1
        if count * 2 > slots.count { resize(to: slots.count * 2) }
        place(ref, hash)
    }

    /// Drops every reference `keep` refuses, compacting the key arena.
    mutating func retain(where keep: (SeriesRef) -> Bool) {
        var kept: [UInt8] = []
        kept.reserveCapacity(arena.count)
        var hashes: [(SeriesRef, UInt64)] = []
        arena.withUnsafeBytes { arena in
            for position in keyStart.indices where keyStart[position] >= 0 {
                let ref = SeriesRef(position)
                guard keep(ref) else {
                    keyStart[position] = -1
                    keyLength[position] = 0
                    continue
                }
                let key = UnsafeRawBufferPointer(rebasing: arena[keyStart[position]..<keyStart[position] + Int(keyLength[position])])
                keyStart[position] = kept.count
                kept.append(contentsOf: key)
                hashes.append((ref, WriteBatch.hash(key: key)))
            }
        }
        arena = kept
        count = hashes.count
        var capacity = 1024
        while count * 2 > capacity { capacity *= 2 }
        slots = [Slot](repeating: Slot(), count: capacity)
        for (ref, hash) in hashes { place(ref, hash) }
    }

    /// Bytes held, for memory accounting.
    var byteCount: Int { slots.count * MemoryLayout<Slot>.stride + keyStart.count * 12 + arena.count }

    private mutating func resize(to capacity: Int) {
        let old = slots
        slots = [Slot](repeating: Slot(), count: capacity)
        for slot in old where slot.refPlusOne != 0 { place(slot.refPlusOne - 1, slot.hash) }
    }

    private mutating func place(_ ref: SeriesRef, _ hash: UInt64) {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while slots[index].refPlusOne != 0 { index = (index + 1) & mask }
        slots[index] = Slot(hash: hash, refPlusOne: ref + 1)
    }
}
