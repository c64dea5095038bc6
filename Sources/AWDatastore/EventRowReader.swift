import AWCore
import GRDB
import GRDBSQLite
import Glibc

/// Reads the event rows of a range query straight from SQLite; `data` comes from the shared
/// `EventDataCache`, so rows with the same data share one dictionary.
struct EventRowReader {
    let cache: EventDataCache

    /// Runs `range` and returns its events, clipped.
    func events(_ db: Database, _ range: RangeQuery) throws -> [Event] {
        let statement = try db.cachedStatement(sql: range.sql)
        statement.arguments = range.arguments
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        var events: [Event] = []
        var recent = RecentDataTexts(cache: cache)
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code),
                    message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            let (timestamp, duration) = range.window.clip(
                start: sqlite3_column_int64(handle, 1), end: sqlite3_column_int64(handle, 2))
            let length = Int(sqlite3_column_bytes(handle, 3))
            let data =
                sqlite3_column_text(handle, 3).map { recent.data(UnsafeBufferPointer(start: $0, count: length)) } ?? [:]
            events.append(
                Event(
                    id: sqlite3_column_int64(handle, 0), timestamp: timestamp, durationNanoseconds: duration, data: data
                ))
        }
        return events
    }
}

/// The data texts one read has met, in an open-addressing table of its own keyed by their hash:
/// the rows of a read repeat the same few hundred texts, and finding one here costs a hash and a
/// comparison, with neither the lock nor the dictionary of the shared `EventDataCache` (which a
/// text met for the first time comes from).
struct RecentDataTexts {
    private struct Slot {
        var hash: UInt64 = 0
        /// Empty for a free slot (empty texts are never stored).
        var text: [UInt8] = []
        var data: [String: JSON] = [:]
    }

    private let cache: EventDataCache
    private var slots = [Slot](repeating: Slot(), count: 64)
    private var count = 0

    init(cache: EventDataCache) {
        self.cache = cache
    }

    /// The parsed form of a stored data text.
    mutating func data(_ text: UnsafeBufferPointer<UInt8>) -> [String: JSON] {
        guard !text.isEmpty else { return [:] }
        let hash = EventDataCache.hash(text)
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        let found = slots.withUnsafeBufferPointer { slots -> [String: JSON]? in
            while !slots[index].text.isEmpty {
                if slots[index].hash == hash && slots[index].text.count == text.count
                    && slots[index].text.withUnsafeBufferPointer({
                        memcmp($0.baseAddress!, text.baseAddress!, text.count) == 0
                    })
                {
                    return slots[index].data
                }
                index = (index + 1) & mask
            }
            return nil
        }
        if let found { return found }
        let data = cache.data(text)
        slots[index] = Slot(hash: hash, text: Array(text), data: data)
        count += 1
        if count * 2 > slots.count { grow() }
        return data
    }

    /// Doubles the table, placing every text again.
    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        let mask = slots.count - 1
        for slot in old where !slot.text.isEmpty {
            var index = Int(truncatingIfNeeded: slot.hash) & mask
            while !slots[index].text.isEmpty { index = (index + 1) & mask }
            slots[index] = slot
        }
    }
}
