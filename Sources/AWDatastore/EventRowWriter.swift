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
    private var inserted = Batch()
    private var replaced = Batch()

    private init(_ db: Database) {
        self.db = db
    }

    /// Runs `body` with a writer, then writes the rows it left gathered. Rows written with
    /// `replacing` overwrite a row with the same id; the others must have new ids.
    static func writing<T>(_ db: Database, _ body: (inout EventRowWriter) throws -> T) throws -> T {
        var writer = EventRowWriter(db)
        let result = try body(&writer)
        try writer.write(&writer.inserted, replacing: false)
        try writer.write(&writer.replaced, replacing: true)
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
        if replacing {
            replaced.add(id: id, bucketRow: bucketRow, start: start, end: end, writeData: writeData)
            if replaced.rows.count == Self.rowsPerStatement { try write(&replaced, replacing: true) }
        } else {
            inserted.add(id: id, bucketRow: bucketRow, start: start, end: end, writeData: writeData)
            if inserted.rows.count == Self.rowsPerStatement { try write(&inserted, replacing: false) }
        }
    }

    /// Rows gathered for one statement: their keys, and their data texts one after another.
    private struct Batch {
        struct Row {
            var id, bucketRow, start, end: Int64
            /// Where the row's data text is in `texts`.
            var textStart, textCount: Int
        }

        var rows: [Row] = []
        var texts = JSONWriter(capacity: 4096)

        init() {
            rows.reserveCapacity(EventRowWriter.rowsPerStatement)
        }

        mutating func add(
            id: Int64, bucketRow: Int64, start: Timestamp, end: Timestamp, writeData: (inout JSONWriter) -> Void
        ) {
            let textStart = texts.bytes.count
            writeData(&texts)
            rows.append(
                Row(
                    id: id, bucketRow: bucketRow, start: start.nanoseconds, end: end.nanoseconds,
                    textStart: textStart, textCount: texts.bytes.count - textStart))
        }
    }

    /// `INSERT` (or `INSERT OR REPLACE`) statements of 1 to `rowsPerStatement` rows, by row count.
    private static let insertSQL = (0...rowsPerStatement).map { sql(rows: $0, replacing: false) }
    private static let replaceSQL = (0...rowsPerStatement).map { sql(rows: $0, replacing: true) }

    private static func sql(rows: Int, replacing: Bool) -> String {
        "INSERT \(replacing ? "OR REPLACE " : "")INTO events (id, bucketrow, starttime, endtime, data) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?)", count: rows).joined(separator: ", ")
    }

    /// SQLite's `SQLITE_TRANSIENT`: it copies the text before the call returns.
    private static let copyText = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    /// Writes the rows of `batch` in one statement and empties it.
    private func write(_ batch: inout Batch, replacing: Bool) throws {
        guard !batch.rows.isEmpty else { return }
        let sql = (replacing ? Self.replaceSQL : Self.insertSQL)[batch.rows.count]
        let handle = try db.cachedStatement(sql: sql).sqliteStatement
        sqlite3_reset(handle)
        let rows = batch.rows
        let code = batch.texts.bytes.withUnsafeBufferPointer { texts in
            // The texts stay alive until the step below, so SQLite need not copy them.
            let base = UnsafeRawPointer(texts.baseAddress)?.assumingMemoryBound(to: CChar.self)
            for (index, row) in rows.enumerated() {
                let column = Int32(index * 5)
                sqlite3_bind_int64(handle, column + 1, row.id)
                sqlite3_bind_int64(handle, column + 2, row.bucketRow)
                sqlite3_bind_int64(handle, column + 3, row.start)
                sqlite3_bind_int64(handle, column + 4, row.end)
                if let base {
                    sqlite3_bind_text(handle, column + 5, base + row.textStart, Int32(row.textCount), nil)
                } else {  // no texts at all (an array's storage always has an address; for safety)
                    sqlite3_bind_text(handle, column + 5, "", 0, Self.copyText)
                }
            }
            return sqlite3_step(handle)
        }
        // The statement stays cached: it must not keep pointers into the texts.
        sqlite3_clear_bindings(handle)
        batch.rows.removeAll(keepingCapacity: true)
        batch.texts.bytes.removeAll(keepingCapacity: true)
        guard code == SQLITE_DONE else {
            let message = db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) }
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
        }
    }
}
