import AWCore

/// Remembers a result per event-data *instance*, so that a computation over an event's data runs
/// once for all the events that share it.
///
/// Events read from the datastore share one dictionary per distinct data (see the datastore's
/// data cache), so a day of window events holds only a few hundred instances. A dictionary is a
/// single reference to its storage; the memo keys on that reference and keeps the dictionary
/// alive, so the storage cannot be freed and its address reused while the memo exists, and since
/// the memo holds a reference, any later mutation copies the storage to a new address first.
struct DataMemo<Result> {
    private var entries: [UInt: (data: [String: JSON], result: Result)] = [:]

    /// Whether instances can be told apart (a dictionary is one pointer wide).
    private static var isAvailable: Bool { MemoryLayout<[String: JSON]>.size == MemoryLayout<UInt>.size }

    /// The result for `data`, computed on first sight of this instance.
    mutating func result<Failure: Error>(
        for data: [String: JSON], _ compute: ([String: JSON]) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        guard Self.isAvailable else { return try compute(data) }
        let identity = unsafeBitCast(data, to: UInt.self)
        if let entry = entries[identity] { return entry.result }
        let result = try compute(data)
        entries[identity] = (data, result)
        return result
    }
}
