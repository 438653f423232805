#if canImport(Glibc)
import Glibc
#endif
import TimeSeriesCore

/// Series references by the bytes of their keys (`WriteBatch`'s label encoding): open addressing
/// with linear probing over a power-of-two table whose slots hold each key's full hash, place and
/// length beside its reference, so a lookup hashes nothing, touches one slot, and compares key bytes
/// only on a hash match. Keys live back to back in one byte arena.
struct SeriesKeyTable: Sendable {
    private struct Slot {
        var hash: UInt64 = 0
        var keyStart = 0
        /// The reference plus one; zero marks an empty slot.
        var refPlusOne: UInt32 = 0
        var keyLength: UInt32 = 0
    }

    private var slots = [Slot](repeating: Slot(), count: 1024)
    private var arena: [UInt8] = []
    private(set) var count = 0

    func find(hash: UInt64, key: UnsafeRawBufferPointer) -> SeriesRef? {
        let mask = slots.count - 1
        return slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBytes { arena in
                var index = Int(truncatingIfNeeded: hash) & mask
                while true {
                    let slot = slots[index]
                    if slot.refPlusOne == 0 { return nil }
                    if slot.hash == hash && Int(slot.keyLength) == key.count
                        && (key.isEmpty || memcmp(arena.baseAddress! + slot.keyStart, key.baseAddress!, key.count) == 0) {
                        return slot.refPlusOne - 1
                    }
                    index = (index + 1) & mask
                }
            }
        }
    }

    /// Reads the slot a lookup of `hash` starts at and the first bytes of its key, so a pass over a
    /// whole batch brings them into the cache together (the loads do not wait on each other) before
    /// the lookups, which would otherwise wait for each miss in turn. Returns a value only so the
    /// reads are not optimized away.
    func touch(hashes: [UInt64]) -> UInt64 {
        let mask = slots.count - 1
        return slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBytes { arena in
                var sum: UInt64 = 0
                for hash in hashes {
                    let slot = slots[Int(truncatingIfNeeded: hash) & mask]
                    if slot.refPlusOne != 0 && slot.keyStart < arena.count { sum &+= UInt64(arena[slot.keyStart]) }
                }
                return sum
            }
        }
    }

    /// Adds the key of `ref`, which must not be in the table yet.
    mutating func insert(_ ref: SeriesRef, hash: UInt64, key: UnsafeRawBufferPointer) {
        let slot = Slot(hash: hash, keyStart: arena.count, refPlusOne: ref + 1, keyLength: UInt32(key.count))
        arena.append(contentsOf: key)
        if (count + 1) * 2 > slots.count { rebuild(capacity: slots.count * 2, keep: { _ in true }) }
        place(slot)
        count += 1
    }

    /// Drops every reference `keep` refuses, compacting the key arena.
    mutating func retain(where keep: (SeriesRef) -> Bool) {
        var capacity = 1024
        while count * 2 > capacity { capacity *= 2 }
        rebuild(capacity: capacity, keep: keep, compact: true)
    }

    private mutating func rebuild(capacity: Int, keep: (SeriesRef) -> Bool, compact: Bool = false) {
        let old = slots
        slots = [Slot](repeating: Slot(), count: capacity)
        var kept: [UInt8] = []
        if compact { kept.reserveCapacity(arena.count) }
        count = 0
        for var slot in old where slot.refPlusOne != 0 && keep(slot.refPlusOne - 1) {
            if compact {
                let start = slot.keyStart
                slot.keyStart = kept.count
                kept.append(contentsOf: arena[start..<start + Int(slot.keyLength)])
            }
            place(slot)
            count += 1
        }
        if compact { arena = kept }
    }

    private mutating func place(_ slot: Slot) {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: slot.hash) & mask
        while slots[index].refPlusOne != 0 { index = (index + 1) & mask }
        slots[index] = slot
    }
}
