import AWCore
import GRDB
import GRDBSQLite

/// Writes event rows, binding values straight into SQLite: the hot path of bulk inserts, imports
/// and heartbeat flushes. Rows are gathered and written `rowsPerStatement` to a statement: SQLite
/// spends about as much again on starting a statement (its transaction check, opening both
/// B-trees) as on inserting one row, so one statement per row would cost 1.7 times the
/// instructions. Use it through `writing(_:_:)`, which writes what is still gathered at the end.
struct EventRowWriter {
    /// The most rows one `INSERT` statement carries.
    static let rowsPerStatement = 32

    private let db: Database
    private var inserted = Batch(replacing: false)
    private var replaced = Batch(replacing: true)

    private init(_ db: Database) {
        self.db = db
    }

    /// Runs `body` with a writer, then writes the rows it left gathered. Rows written with
    /// `replacing` overwrite a row with the same id; the others must have new ids.
    static func writing<T>(_ db: Database, _ body: (inout EventRowWriter) throws -> T) throws -> T {
        var writer = EventRowWriter(db)
        let result = try body(&writer)
        try writer.inserted.write(to: db)
        try writer.replaced.write(to: db)
        return result
    }

    /// Writes `event` as row `id` of the bucket row `bucketRow`; `data` is stored as compact JSON
    /// with sorted keys.
    mutating func write(_ event: Event, id: Int64, bucketRow: Int64, replacing: Bool) throws {
        try gather(id: id, bucketRow: bucketRow, start: event.timestamp, end: event.end, replacing: replacing) {
            $0.write(event.data)
        }
    }

    /// Writes an event whose data is already canonical JSON text.
    mutating func write(_ event: EncodedEvent, id: Int64, bucketRow: Int64, replacing: Bool) throws {
        try gather(id: id, bucketRow: bucketRow, start: event.timestamp, end: event.end, replacing: replacing) {
            $0.bytes.append(contentsOf: event.dataJSON)
        }
    }

    /// Adds a row to its batch (`writeData` appends its data text), writing the batch once full.
    private mutating func gather(
        id: Int64, bucketRow: Int64, start: Timestamp, end: Timestamp, replacing: Bool,
        writeData: (inout JSONWriter) -> Void
    ) throws {
        let row = (id: id, bucketRow: bucketRow, start: start.nanoseconds, end: end.nanoseconds)
        if replacing {
            try replaced.add(row, writeData: writeData, db: db)
        } else {
            try inserted.add(row, writeData: writeData, db: db)
        }
    }

    /// Rows gathered for one statement: their keys, and their data texts one after another.
    private struct Batch {
        struct Row {
            var id, bucketRow, start, end: Int64
            /// Where the row's data text is in `texts`.
            var textStart, textCount: Int
        }

        /// Whether the rows overwrite rows with the same id (`INSERT OR REPLACE`).
        let replacing: Bool
        var rows: [Row] = []
        /// Never without storage (room for 4 KB is reserved), so its address is never `nil`.
        var texts = JSONWriter(capacity: 4096)
        /// The statement for a full batch, once used: looking it up in the connection's cache
        /// hashes and compares its long SQL text every time.
        var fullBatchStatement: Statement?

        init(replacing: Bool) {
            self.replacing = replacing
            rows.reserveCapacity(EventRowWriter.rowsPerStatement)
        }

        /// Adds a row, writing the batch to `db` once it is full.
        mutating func add(
            _ row: (id: Int64, bucketRow: Int64, start: Int64, end: Int64), writeData: (inout JSONWriter) -> Void,
            db: Database
        ) throws {
            let textStart = texts.bytes.count
            writeData(&texts)
            rows.append(
                Row(
                    id: row.id, bucketRow: row.bucketRow, start: row.start, end: row.end, textStart: textStart,
                    textCount: texts.bytes.count - textStart))
            if rows.count == EventRowWriter.rowsPerStatement { try write(to: db) }
        }

        /// The prepared statement for the rows gathered.
        private mutating func statement(_ db: Database) throws -> Statement {
            if rows.count == EventRowWriter.rowsPerStatement, let fullBatchStatement { return fullBatchStatement }
            let sql = (replacing ? EventRowWriter.replaceSQL : EventRowWriter.insertSQL)[rows.count]
            let statement = try db.cachedStatement(sql: sql)
            if rows.count == EventRowWriter.rowsPerStatement { fullBatchStatement = statement }
            return statement
        }

        /// Writes the gathered rows in one statement and empties the batch.
        mutating func write(to db: Database) throws {
            guard !rows.isEmpty else { return }
            let handle = try statement(db).sqliteStatement
            sqlite3_reset(handle)
            let rows = self.rows
            let code = texts.bytes.withUnsafeBufferPointer { texts in
                // The texts stay alive until the step below, so SQLite need not copy them.
                let base = UnsafeRawPointer(texts.baseAddress!).assumingMemoryBound(to: CChar.self)
                for (index, row) in rows.enumerated() {
                    let column = Int32(index * 5)
                    sqlite3_bind_int64(handle, column + 1, row.id)
                    sqlite3_bind_int64(handle, column + 2, row.bucketRow)
                    sqlite3_bind_int64(handle, column + 3, row.start)
                    sqlite3_bind_int64(handle, column + 4, row.end)
                    sqlite3_bind_text(handle, column + 5, base + row.textStart, Int32(row.textCount), nil)
                }
                return sqlite3_step(handle)
            }
            // The statement stays cached: it must not keep pointers into the texts.
            sqlite3_clear_bindings(handle)
            self.rows.removeAll(keepingCapacity: true)
            texts.bytes.removeAll(keepingCapacity: true)
            guard code == SQLITE_DONE else {
                let message = db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) }
                sqlite3_reset(handle)
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
            }
        }
    }

    /// `INSERT` (or `INSERT OR REPLACE`) statements of 1 to `rowsPerStatement` rows, by row count.
    private static let insertSQL = (0...rowsPerStatement).map { sql(rows: $0, replacing: false) }
    private static let replaceSQL = (0...rowsPerStatement).map { sql(rows: $0, replacing: true) }

    private static func sql(rows: Int, replacing: Bool) -> String {
        "INSERT \(replacing ? "OR REPLACE " : "")INTO events (id, bucketrow, starttime, endtime, data) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?)", count: rows).joined(separator: ", ")
    }
}
