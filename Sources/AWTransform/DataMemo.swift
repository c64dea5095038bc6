import AWCore

/// Remembers a result per event-data *instance*, so that a computation over an event's data runs
/// once for all the events that share it.
///
/// Events read from the datastore share one dictionary per distinct data (see the datastore's
/// data cache), so a day of window events holds only a few hundred instances. A dictionary is a
/// single reference to its storage; the memo keys on that reference and keeps the dictionary
/// alive, so the storage cannot be freed and its address reused while the memo exists, and since
/// the memo holds a reference, any later mutation copies the storage to a new address first.
///
/// It is looked up once per event, so it is a table of its own: open addressing on the address,
/// probed linearly, at most half full.
struct DataMemo<Result> {
    private struct Entry {
        var identity: UInt
        var data: [String: JSON]
        var result: Result
    }

    private var entries: [Entry] = []
    /// Indices into `entries`, or -1 for a free slot; a power of two long.
    private var slots: [Int32] = []

    /// Whether instances can be told apart (a dictionary is one pointer wide).
    private static var isAvailable: Bool { MemoryLayout<[String: JSON]>.size == MemoryLayout<UInt>.size }

    /// The result for `data`, computed on first sight of this instance.
    mutating func result<Failure: Error>(
        for data: [String: JSON], _ compute: ([String: JSON]) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        guard Self.isAvailable else { return try compute(data) }
        let identity = unsafeBitCast(data, to: UInt.self)
        if !slots.isEmpty {
            var slot = Self.slot(of: identity, mask: slots.count - 1)
            while slots[slot] >= 0 {
                let index = Int(slots[slot])
                if entries[index].identity == identity { return entries[index].result }
                slot = (slot + 1) & (slots.count - 1)
            }
        }
        let result = try compute(data)
        if (entries.count + 1) * 2 > slots.count { grow() }
        entries.append(Entry(identity: identity, data: data, result: result))
        place(entries.count - 1)
        return result
    }

    /// Where probing for `identity` starts: the address's bits mixed (allocations are aligned,
    /// so the low bits alone would collide).
    private static func slot(of identity: UInt, mask: Int) -> Int {
        let mixed = UInt64(identity) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed >> 32) & mask
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: max(64, slots.count * 2))
        for index in entries.indices { place(index) }
    }

    private mutating func place(_ index: Int) {
        let mask = slots.count - 1
        var slot = Self.slot(of: entries[index].identity, mask: mask)
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(index)
    }
}
