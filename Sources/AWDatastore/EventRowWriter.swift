import AWCore
import GRDB
import GRDBSQLite

/// Writes event rows with one prepared statement, binding values straight into SQLite:
/// the hot path of bulk inserts, imports and heartbeat flushes.
struct EventRowWriter {
    private let statement: Statement
    private let connection: SQLiteConnection?
    private var dataText = JSONWriter(capacity: 256)

    /// Prepares `INSERT` (or `INSERT OR REPLACE`, which overwrites a row with the same id).
    init(_ db: Database, replacing: Bool) throws {
        statement = try db.cachedStatement(
            sql:
                "INSERT \(replacing ? "OR REPLACE " : "")INTO events (id, bucketrow, starttime, endtime, data) VALUES (?, ?, ?, ?, ?)"
        )
        connection = db.sqliteConnection
    }

    /// Writes `event` as row `id` of the bucket row `bucketRow`; `data` is stored as compact JSON
    /// with sorted keys.
    mutating func write(_ event: Event, id: Int64, bucketRow: Int64) throws {
        dataText.bytes.removeAll(keepingCapacity: true)
        dataText.write(event.data)
        try write(id: id, bucketRow: bucketRow, start: event.timestamp, end: event.end, data: dataText.bytes)
    }

    /// Writes an event whose data is already canonical JSON text.
    mutating func write(_ event: EncodedEvent, id: Int64, bucketRow: Int64) throws {
        try write(id: id, bucketRow: bucketRow, start: event.timestamp, end: event.end, data: event.dataJSON)
    }

    private func write(id: Int64, bucketRow: Int64, start: Timestamp, end: Timestamp, data: [UInt8]) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_bind_int64(handle, 1, id)
        sqlite3_bind_int64(handle, 2, bucketRow)
        sqlite3_bind_int64(handle, 3, start.nanoseconds)
        sqlite3_bind_int64(handle, 4, end.nanoseconds)
        let code = data.withUnsafeBufferPointer { text in
            // The text stays alive until the step below, so SQLite need not copy it.
            sqlite3_bind_text(
                handle, 5, UnsafeRawPointer(text.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(text.count),
                nil)
            return sqlite3_step(handle)
        }
        sqlite3_bind_null(handle, 5)
        guard code == SQLITE_DONE else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) }
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
        }
    }
}
