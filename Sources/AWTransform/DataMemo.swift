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
/// It is looked up once per event, so it is a table of its own, on the address.
struct DataMemo<Result> {
    private struct Entry {
        var identity: UInt
        var data: [String: JSON]
        var result: Result
    }

    private var entries: [Entry] = []
    private var slots = HashSlots()

    /// Whether instances can be told apart (a dictionary is one pointer wide).
    private static var isAvailable: Bool { MemoryLayout<[String: JSON]>.size == MemoryLayout<UInt>.size }

    /// The result for `data`, computed on first sight of this instance.
    mutating func result<Failure: Error>(
        for data: [String: JSON], _ compute: ([String: JSON]) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        guard Self.isAvailable else { return try compute(data) }
        let identity = unsafeBitCast(data, to: UInt.self)
        if let known = known(identity) { return known }
        let result = try compute(data)
        remember(Entry(identity: identity, data: data, result: result))
        return result
    }

    private func known(_ identity: UInt) -> Result? {
        slots.index(hash: Self.hash(identity)) { entries[$0].identity == identity }.map { entries[$0].result }
    }

    private mutating func remember(_ entry: Entry) {
        entries.append(entry)
        let entries = entries
        slots.add(entries.count - 1, hash: Self.hash(entry.identity)) { Self.hash(entries[$0].identity) }
    }

    /// The address's bits mixed (allocations are aligned, so its low bits alone would collide).
    private static func hash(_ identity: UInt) -> UInt64 {
        UInt64(identity) &* 0x9E37_79B9_7F4A_7C15
    }
}
