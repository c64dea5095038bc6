import AWCore
import GRDB
import GRDBSQLite

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
                sqlite3_column_text(handle, 3).map { cache.data(UnsafeBufferPointer(start: $0, count: length)) } ?? [:]
            events.append(
                Event(
                    id: sqlite3_column_int64(handle, 0), timestamp: timestamp, durationNanoseconds: duration, data: data
                ))
        }
        return events
    }
}
