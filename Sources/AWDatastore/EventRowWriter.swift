import AWCore
import GRDB
import GRDBSQLite
import Glibc

/// Writes event rows, binding values straight into SQLite: the hot path of bulk inserts, imports
/// and heartbeat flushes. Each event's data text is looked up in `event_data` once per write
/// (`EventDataIDs`) and the row names it by id. Rows are gathered and written `rowsPerStatement`
/// to a statement: SQLite spends about as much again on starting a statement (its transaction
/// check, opening both B-trees) as on inserting one row, so one statement per row would cost 1.7
/// times the instructions. Use it through `writing(_:_:)`, which writes what is still gathered
/// and the texts' new use counts at the end.
struct EventRowWriter {
    /// The most rows one `INSERT` statement carries.
    static let rowsPerStatement = 32

    private let db: Database
    private var batch = Batch()
    private var dataIDs = EventDataIDs()
    /// Where the data of an `Event` is encoded before it is looked up.
    private var scratch = JSONWriter(capacity: 1024)

    private init(_ db: Database) {
        self.db = db
    }

    /// Runs `body` with a writer, then writes the rows it left gathered. Rows written with
    /// `replacing` overwrite a row with the same id; the others must have new ids.
    static func writing<T>(_ db: Database, _ body: (inout EventRowWriter) throws -> T) throws -> T {
        var writer = EventRowWriter(db)
        let result = try body(&writer)
        try writer.batch.write(to: db)
        try writer.dataIDs.storeUses(db)
        return result
    }

    /// Writes `event` as row `id` of the bucket row `bucketRow`; `data` is stored as compact JSON
    /// with sorted keys.
    mutating func write(_ event: Event, id: Int64, bucketRow: Int64, replacing: Bool) throws {
        scratch.bytes.removeAll(keepingCapacity: true)
        scratch.write(event.data)
        let text = scratch.bytes
        try text.withUnsafeBufferPointer { text in
            try gather(
                id: id, bucketRow: bucketRow, start: event.timestamp, end: event.end, text: text, replacing: replacing)
        }
    }

    /// Writes an event whose data is already canonical JSON text.
    mutating func write(_ event: EncodedEvent, id: Int64, bucketRow: Int64, replacing: Bool) throws {
        try event.dataJSON.withUnsafeBufferPointer { text in
            try gather(
                id: id, bucketRow: bucketRow, start: event.timestamp, end: event.end, text: text, replacing: replacing)
        }
    }

    /// Adds a row to the batch, writing the batch once full. A replacing row first deletes the
    /// row with its id (written out first if it is still gathered) and gives back its data's use.
    private mutating func gather(
        id: Int64, bucketRow: Int64, start: Timestamp, end: Timestamp, text: UnsafeBufferPointer<UInt8>,
        replacing: Bool
    ) throws {
        if replacing {
            if batch.rows.contains(where: { $0.id == id }) { try batch.write(to: db) }
            let delete = try db.cachedStatement(sql: "DELETE FROM events WHERE id = ? RETURNING data_id")
            if let released = try Int64.fetchOne(delete, arguments: [id]) { dataIDs.release(released) }
        }
        let dataID = try dataIDs.use(text, db)
        batch.rows.append(
            Batch.Row(id: id, bucketRow: bucketRow, start: start.nanoseconds, end: end.nanoseconds, dataID: dataID))
        if batch.rows.count == Self.rowsPerStatement { try batch.write(to: db) }
    }

    /// Rows gathered for one statement.
    private struct Batch {
        struct Row {
            var id, bucketRow, start, end, dataID: Int64
        }

        var rows: [Row] = []
        /// The statement for a full batch, once used: looking it up in the connection's cache
        /// hashes and compares its long SQL text every time.
        var fullBatchStatement: Statement?

        init() {
            rows.reserveCapacity(EventRowWriter.rowsPerStatement)
        }

        /// The prepared statement for the rows gathered.
        private mutating func statement(_ db: Database) throws -> Statement {
            if rows.count == EventRowWriter.rowsPerStatement, let fullBatchStatement { return fullBatchStatement }
            let statement = try db.cachedStatement(sql: EventRowWriter.insertSQL[rows.count])
            if rows.count == EventRowWriter.rowsPerStatement { fullBatchStatement = statement }
            return statement
        }

        /// Writes the gathered rows in one statement and empties the batch.
        mutating func write(to db: Database) throws {
            guard !rows.isEmpty else { return }
            let handle = try statement(db).sqliteStatement
            sqlite3_reset(handle)
            for (index, row) in rows.enumerated() {
                let column = Int32(index * 5)
                sqlite3_bind_int64(handle, column + 1, row.id)
                sqlite3_bind_int64(handle, column + 2, row.bucketRow)
                sqlite3_bind_int64(handle, column + 3, row.start)
                sqlite3_bind_int64(handle, column + 4, row.end)
                sqlite3_bind_int64(handle, column + 5, row.dataID)
            }
            let code = sqlite3_step(handle)
            rows.removeAll(keepingCapacity: true)
            guard code == SQLITE_DONE else {
                let message = db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) }
                sqlite3_reset(handle)
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
            }
        }
    }

    /// `INSERT` statements of 1 to `rowsPerStatement` rows, by row count.
    private static let insertSQL = (0...rowsPerStatement).map { rows in
        "INSERT INTO events (id, bucketrow, starttime, endtime, data_id) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?)", count: rows).joined(separator: ", ")
    }
}

/// The `event_data` ids of the texts one write uses, and how their use counts change: each
/// distinct text is looked up (or added) once per write, and the counts are stored at its end,
/// where a text nothing uses any more is deleted.
struct EventDataIDs {
    private struct Entry {
        var hash: UInt64
        var textStart, textCount: Int
        var id: Int64
        /// Uses added by this write.
        var uses: Int
    }

    /// The texts of `entries`, one after another.
    private var texts: [UInt8] = []
    private var entries: [Entry] = []
    private var slots = HashSlots()
    /// Uses given back by this write (rows deleted or replaced), by id.
    private var released: [Int64: Int] = [:]

    /// The id of `text`, added to `event_data` when new; counts one more use of it.
    mutating func use(_ text: UnsafeBufferPointer<UInt8>, _ db: Database) throws -> Int64 {
        let hash = EventDataCache.hash(text)
        let found = slots.index(hash: hash) { index in
            entries[index].hash == hash && entries[index].textCount == text.count
                && texts.withUnsafeBufferPointer {
                    memcmp($0.baseAddress! + entries[index].textStart, text.baseAddress!, text.count) == 0
                }
        }
        if let found {
            entries[found].uses += 1
            return entries[found].id
        }
        let id = try Self.storedID(text, db)
        entries.append(Entry(hash: hash, textStart: texts.count, textCount: text.count, id: id, uses: 1))
        texts.append(contentsOf: text)
        let added = entries
        slots.add(added.count - 1, hash: hash) { added[$0].hash }
        return id
    }

    /// Counts one use fewer of the text `id`.
    mutating func release(_ id: Int64) {
        released[id, default: 0] += 1
    }

    /// Stores the changed use counts and deletes the texts nothing uses any more.
    func storeUses(_ db: Database) throws {
        var changes = released.mapValues { -$0 }
        for entry in entries { changes[entry.id, default: 0] += entry.uses }
        let update = try db.cachedStatement(sql: "UPDATE event_data SET uses = uses + ? WHERE id = ?")
        let deleteUnused = try db.cachedStatement(sql: "DELETE FROM event_data WHERE id = ? AND uses <= 0")
        for (id, change) in changes {
            if change != 0 { try update.execute(arguments: [change, id]) }
            if change <= 0 { try deleteUnused.execute(arguments: [id]) }
        }
    }

    /// The id `event_data` has for `text`, adding it (with no uses yet) when it has none.
    private static func storedID(_ text: UnsafeBufferPointer<UInt8>, _ db: Database) throws -> Int64 {
        let string = String(decoding: text, as: UTF8.self)
        let find = try db.cachedStatement(sql: "SELECT id FROM event_data WHERE text = ?")
        if let id = try Int64.fetchOne(find, arguments: [string]) { return id }
        try db.cachedStatement(sql: "INSERT INTO event_data (text, uses) VALUES (?, 0)").execute(arguments: [string])
        return db.lastInsertedRowID
    }
}
