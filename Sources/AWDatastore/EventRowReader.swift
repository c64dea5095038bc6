import AWCore
import GRDB
import GRDBSQLite

/// Reads the event rows of a range query straight from SQLite; `data` comes from the shared
/// `EventDataCache`, so rows with the same data share one dictionary.
struct EventRowReader {
    let cache: EventDataCache

    /// Runs `range` and returns its events, clipped.
    func events(_ db: Database, _ range: RangeQuery) throws -> [Event] {
        var events: [Event] = []
        try Self.forEachRow(db, range) { id, start, end, text in
            let (timestamp, duration) = range.window.clip(start: start, end: end)
            let data = text.map { cache.data($0.assumingMemoryBound(to: UInt8.self)) } ?? [:]
            events.append(Event(id: id, timestamp: timestamp, durationNanoseconds: duration, data: data))
        }
        return events
    }

    /// Runs `range` (its columns `id, starttime, endtime, data`) and calls `body` with each row,
    /// the data text as SQLite holds it (valid only during the call; `nil` for NULL).
    static func forEachRow(
        _ db: Database, _ range: RangeQuery,
        _ body: (_ id: Int64, _ start: Int64, _ end: Int64, _ data: UnsafeRawBufferPointer?) throws -> Void
    ) throws {
        let statement = try db.cachedStatement(sql: range.sql)
        statement.arguments = range.arguments
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code),
                    message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            let text = sqlite3_column_text(handle, 3).map {
                UnsafeRawBufferPointer(start: $0, count: Int(sqlite3_column_bytes(handle, 3)))
            }
            try body(
                sqlite3_column_int64(handle, 0), sqlite3_column_int64(handle, 1), sqlite3_column_int64(handle, 2),
                text)
        }
    }
}
