/// The slots of an open-addressing hash table whose entries live in an array its owner keeps:
/// each slot holds the index of an entry, or -1 when free. Probing is linear from the hash's
/// bits 32 and up, and the slots are kept at most half full.
///
/// For tables looked up once per event, where `Dictionary` would hash the key again with
/// SipHash and the owner already has a good 64-bit hash.
package struct HashSlots: Sendable {
    @usableFromInline var slots: [Int32] = []

    package init() {}

    /// The index of the entry that `matches` accepts among those filed under `hash`; nil when
    /// there is none.
    @inlinable
    package func index(hash: UInt64, where matches: (Int) -> Bool) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = Self.firstSlot(hash, mask: mask)
        while true {
            let index = Int(slots[slot])
            if index < 0 { return nil }
            if matches(index) { return index }
            slot = (slot + 1) & mask
        }
    }

    /// Files entry `index` under `hash`. Entries are added in order, from 0; when the slots
    /// grow, the earlier ones are filed again under `hashOfEntry(index)`.
    @inlinable
    package mutating func add(_ index: Int, hash: UInt64, hashOfEntry: (Int) -> UInt64) {
        if (index + 1) * 2 > slots.count {
            slots = Array(repeating: -1, count: max(64, slots.count * 2))
            for earlier in 0..<index { place(earlier, hash: hashOfEntry(earlier)) }
        }
        place(index, hash: hash)
    }

    @inlinable
    mutating func place(_ index: Int, hash: UInt64) {
        let mask = slots.count - 1
        var slot = Self.firstSlot(hash, mask: mask)
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(index)
    }

    @inlinable
    static func firstSlot(_ hash: UInt64, mask: Int) -> Int {
        Int(truncatingIfNeeded: hash >> 32) & mask
    }
}
