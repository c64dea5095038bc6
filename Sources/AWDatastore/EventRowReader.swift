import AWCore
import GRDB
import GRDBSQLite

/// Reads the event rows of a range query straight from SQLite; their data comes from the shared
/// `EventDataByID`, so rows with the same data share one dictionary.
struct EventRowReader {
    let eventData: EventDataByID

    /// Runs `range` and returns its events, clipped.
    func events(_ db: Database, _ range: RangeQuery) throws -> [Event] {
        var events: [Event] = []
        var dataOfThisRead = IDTable<[String: JSON]>()
        try Self.forEachRow(db, range) { id, start, end, dataID in
            let (timestamp, duration) = range.window.clip(start: start, end: end)
            let data = try dataOfThisRead.value(dataID) { try eventData.data(dataID, db) }
            events.append(Event(id: id, timestamp: timestamp, durationNanoseconds: duration, data: data))
        }
        return events
    }

    /// Calls `body` with each row and its data text.
    func forEachRow(
        _ db: Database, _ range: RangeQuery,
        _ body: (_ id: Int64, _ start: Int64, _ end: Int64, _ data: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var entriesOfThisRead = IDTable<EventDataByID.Entry>()
        try Self.forEachRow(db, range) { id, start, end, dataID in
            let entry = try entriesOfThisRead.value(dataID) { try eventData.entry(dataID, db) }
            try entry.text.withUnsafeBytes { try body(id, start, end, $0) }
        }
    }

    /// Runs `range` (its columns `id, starttime, endtime, data_id`) and calls `body` with each row.
    static func forEachRow(
        _ db: Database, _ range: RangeQuery,
        _ body: (_ id: Int64, _ start: Int64, _ end: Int64, _ dataID: Int64) throws -> Void
    ) throws {
        let statement = try db.cachedStatement(sql: range.sql)
        statement.arguments = range.arguments
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError.sqlite(code, db)
            }
            try body(
                sqlite3_column_int64(handle, 0), sqlite3_column_int64(handle, 1), sqlite3_column_int64(handle, 2),
                sqlite3_column_int64(handle, 3))
        }
    }
}
