import AWCore
import GRDB
import GRDBSQLite

/// Reads event rows of a range query straight from SQLite, parsing each distinct `data` text
/// only once: rows with the same data (a window watcher repeats the same app and title many
/// times) share one dictionary.
struct EventRowReader {
    private struct Entry {
        var text: [UInt8]
        var data: [String: JSON]
    }

    /// Parsed data by a hash of its text (collisions are resolved by comparing the text).
    private var cache: [UInt64: [Entry]] = [:]
    private var cachedCount = 0
    /// Beyond this many distinct texts, further ones are parsed without being remembered.
    private let cacheLimit = 20_000

    /// Runs `range` and returns its events, clipped.
    mutating func events(_ db: Database, _ range: RangeQuery) throws -> [Event] {
        let statement = try db.makeStatement(sql: range.sql)
        statement.arguments = range.arguments
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        var events: [Event] = []
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            let (timestamp, duration) = range.clip(start: sqlite3_column_int64(handle, 1), end: sqlite3_column_int64(handle, 2))
            let length = Int(sqlite3_column_bytes(handle, 3))
            let text = sqlite3_column_text(handle, 3).map { UnsafeBufferPointer(start: $0, count: length) }
            events.append(
                Event(id: sqlite3_column_int64(handle, 0), timestamp: timestamp, durationNanoseconds: duration, data: data(text)))
        }
        return events
    }

    /// The parsed form of a stored data text (invalid text reads as `{}`).
    private mutating func data(_ text: UnsafeBufferPointer<UInt8>?) -> [String: JSON] {
        guard let text, !text.isEmpty else { return [:] }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in text { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        if let entries = cache[hash], let entry = entries.first(where: { $0.text.elementsEqual(text) }) {
            return entry.data
        }
        let data = (try? JSON.parse(UnsafeRawBufferPointer(text)))?.objectValue ?? [:]
        if cachedCount < cacheLimit {
            cache[hash, default: []].append(Entry(text: Array(text), data: data))
            cachedCount += 1
        }
        return data
    }
}
