import AWCore
import GRDB
import GRDBSQLite
import Glibc
import Synchronization

/// Writes event rows, binding values straight into SQLite: the hot path of bulk inserts, imports
/// and heartbeat flushes. Each distinct data text of a write is looked up once, and its uses
/// counted, by `EventDataIDs`; the row names it by id. Rows are gathered and written
/// `rowsPerStatement` to a statement: SQLite spends about as much again on starting a statement
/// (its transaction check, opening both B-trees) as on inserting one row, so one statement per
/// row would cost 1.7 times the instructions. Use it through `writing(_:known:held:_:)`, which writes what is still
/// gathered and the texts' new use counts at the end.
struct EventRowWriter {
    /// The most rows one `INSERT` statement carries.
    static let rowsPerStatement = 32

    private let db: Database
    private var batch = Batch()
    private var dataIDs: EventDataIDs
    /// Where the data of an `Event` is encoded before it is looked up.
    private var scratch = JSONWriter(capacity: 1024)

    private init(_ db: Database, known: KnownDataIDs, held: HeldUses) {
        self.db = db
        dataIDs = EventDataIDs(known: known, held: held)
    }

    /// Runs `body` with a writer, then writes the rows it left gathered. Rows written with
    /// `replacing` overwrite a row with the same id; the others must have new ids. `known` and
    /// `held` are the datastore's.
    static func writing<T>(
        _ db: Database, known: KnownDataIDs, held: HeldUses, _ body: (inout EventRowWriter) throws -> T
    ) throws -> T {
        var writer = EventRowWriter(db, known: known, held: held)
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
            if let released = try delete.stepOnce(db, bind: { sqlite3_bind_int64($0, 1, id) }) {
                dataIDs.release(released)
            }
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
            let statement = try statement(db)
            let rows = self.rows
            self.rows.removeAll(keepingCapacity: true)
            try statement.stepOnce(db) { handle in
                for (index, row) in rows.enumerated() {
                    let column = Int32(index * 5)
                    sqlite3_bind_int64(handle, column + 1, row.id)
                    sqlite3_bind_int64(handle, column + 2, row.bucketRow)
                    sqlite3_bind_int64(handle, column + 3, row.start)
                    sqlite3_bind_int64(handle, column + 4, row.end)
                    sqlite3_bind_int64(handle, column + 5, row.dataID)
                }
            }
        }
    }

    /// `INSERT` statements of 1 to `rowsPerStatement` rows, by row count.
    private static let insertSQL = (0...rowsPerStatement).map { rows in
        "INSERT INTO events (id, bucketrow, starttime, endtime, data_id) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?)", count: rows).joined(separator: ", ")
    }
}

/// Data texts and their `event_data` ids, found by the texts' bytes without hashing them twice.
struct TextIDs: Sendable {
    private struct Entry {
        var hash: UInt64
        var textStart, textCount: Int
        var id: Int64
    }

    /// The texts of `entries`, one after another.
    private var texts: [UInt8] = []
    private var entries: [Entry] = []
    private var slots = HashSlots()

    /// How many texts it holds.
    var count: Int { entries.count }

    /// Where `text` (whose hash is `hash`) is, if it is here.
    func index(of text: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int? {
        slots.index(hash: hash) { index in
            entries[index].hash == hash && entries[index].textCount == text.count
                && texts.withUnsafeBufferPointer {
                    memcmp($0.baseAddress! + entries[index].textStart, text.baseAddress!, text.count) == 0
                }
        }
    }

    /// The id of the text at `index`.
    func id(at index: Int) -> Int64 { entries[index].id }

    /// Adds `text` (not here yet) with its id, at the next index.
    mutating func add(_ text: UnsafeBufferPointer<UInt8>, hash: UInt64, id: Int64) {
        entries.append(Entry(hash: hash, textStart: texts.count, textCount: text.count, id: id))
        texts.append(contentsOf: text)
        let added = entries
        slots.add(added.count - 1, hash: hash) { added[$0].hash }
    }

    /// Adds the texts of `other` that are not here.
    mutating func add(_ other: TextIDs) {
        other.texts.withUnsafeBufferPointer { texts in
            for entry in other.entries {
                let text = UnsafeBufferPointer(rebasing: texts[entry.textStart..<entry.textStart + entry.textCount])
                if index(of: text, hash: entry.hash) == nil { add(text, hash: entry.hash, id: entry.id) }
            }
        }
    }
}

/// The ids of data texts earlier writes stored, kept by a datastore for its writer: a text a
/// bulk insert or a heartbeat flush uses again needs no lookup in `event_data`. Filled only by
/// committed writes, and emptied whenever a text is deleted.
final class KnownDataIDs: Sendable {
    private let known = Mutex(TextIDs())
    /// The most texts it keeps; when full, it starts over.
    private let capacity: Int

    init(capacity: Int = 20_000) {
        self.capacity = capacity
    }

    /// The id of `text`, if a committed write stored it.
    func id(of text: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int64? {
        known.withLock { known in known.index(of: text, hash: hash).map { known.id(at: $0) } }
    }

    /// Keeps the texts (and ids) of a committed write.
    func remember(_ texts: TextIDs) {
        known.withLock { known in
            if known.count + texts.count > capacity { known = TextIDs() }
            known.add(texts)
        }
    }

    /// Forgets every text, now and again when `db`'s transaction ends: some were deleted in it,
    /// and a write earlier in the same transaction may have asked to remember them at its commit.
    func forgetAll(in db: Database) {
        forgetAll()
        db.afterNextTransaction { _ in
            self.forgetAll()
        } onRollback: { _ in
            self.forgetAll()
        }
    }

    private func forgetAll() {
        known.withLock { $0 = TextIDs() }
    }
}

/// The `event_data` ids of the texts one write uses, and how their use counts change: each
/// distinct text is looked up (in `KnownDataIDs`, else in `event_data`, where a new one is added)
/// once per write. At its end a write that only adds uses leaves them to `HeldUses`; one that
/// gives uses back stores its counts with those held, and deletes the texts nothing uses any more.
struct EventDataIDs {
    /// The texts this write uses.
    private var texts = TextIDs()
    /// The texts this write found in `event_data` or added there, for `KnownDataIDs` to keep.
    private var learned = TextIDs()
    /// Uses added by this write, by the texts' index in `texts`.
    private var uses: [Int] = []
    /// Uses given back by this write (rows deleted or replaced), by id.
    private var released: [Int64: Int] = [:]
    private let known: KnownDataIDs
    private let held: HeldUses

    init(known: KnownDataIDs, held: HeldUses) {
        self.known = known
        self.held = held
    }

    /// The id of `text`, added to `event_data` when new; counts one more use of it.
    mutating func use(_ text: UnsafeBufferPointer<UInt8>, _ db: Database) throws -> Int64 {
        let hash = EventDataCache.hash(text)
        if let index = texts.index(of: text, hash: hash) {
            uses[index] += 1
            return texts.id(at: index)
        }
        let id: Int64
        if let knownID = known.id(of: text, hash: hash) {
            id = knownID
        } else {
            id = try Self.storedID(text, db)
            learned.add(text, hash: hash, id: id)
        }
        texts.add(text, hash: hash, id: id)
        uses.append(1)
        return id
    }

    /// Counts one use fewer of the text `id`.
    mutating func release(_ id: Int64) {
        released[id, default: 0] += 1
    }

    /// Holds this write's uses when it only adds some; else stores its counts and the held ones,
    /// and deletes the texts nothing uses any more. Once the transaction commits, `KnownDataIDs`
    /// keeps the texts this write learned (or forgets all, when one was deleted).
    func storeUses(_ db: Database) throws {
        guard !uses.isEmpty || !released.isEmpty else { return }
        let added = uses.indices.map { (id: texts.id(at: $0), uses: uses[$0]) }
        var deletedAny = false
        let heldAll = try released.isEmpty && held.hold(added, db)
        if !heldAll {
            var changes = try held.take(db)
            for (id, uses) in added { changes[id, default: 0] += uses }
            for (id, uses) in released { changes[id, default: 0] -= uses }
            deletedAny = try Self.store(changes, deletingUnused: held.deletesUnused, db)
        }
        let (known, learned) = (known, learned)
        if deletedAny {
            known.forgetAll(in: db)
        } else if learned.count > 0 {
            db.afterNextTransaction { _ in known.remember(learned) }
        }
    }

    /// Adds `changes` (by text id) to the stored use counts and, when `deletingUnused`, deletes
    /// the texts whose count comes to zero; whether it deleted any. Texts whose count changes by
    /// the same amount are updated together, up to `EventRowWriter.rowsPerStatement` to a
    /// statement.
    static func store(_ changes: [Int64: Int], deletingUnused: Bool, _ db: Database) throws -> Bool {
        var idsByChange: [Int: [Int64]] = [:]
        for (id, change) in changes { idsByChange[change, default: []].append(id) }
        var deletedAny = false
        for (change, ids) in idsByChange {
            for start in stride(from: 0, to: ids.count, by: EventRowWriter.rowsPerStatement) {
                let chunk = ids[start..<min(start + EventRowWriter.rowsPerStatement, ids.count)]
                if change != 0 {
                    let update = try db.cachedStatement(sql: updateUsesSQL)
                    try update.stepOnce(db) { handle in
                        sqlite3_bind_int64(handle, 1, Int64(change))
                        for (offset, id) in chunk.enumerated() { sqlite3_bind_int64(handle, Int32(offset + 2), id) }
                    }
                }
                if change <= 0 && deletingUnused {
                    let delete = try db.cachedStatement(sql: deleteUnusedSQL)
                    try delete.stepOnce(db) { handle in
                        for (offset, id) in chunk.enumerated() { sqlite3_bind_int64(handle, Int32(offset + 1), id) }
                    }
                    deletedAny = deletedAny || sqlite3_changes(db.sqliteConnection) > 0
                }
            }
        }
        return deletedAny
    }

    /// `rowsPerStatement` id parameters: those a statement leaves unbound are NULL and match no row.
    private static let idParameters = Array(repeating: "?", count: EventRowWriter.rowsPerStatement)
        .joined(separator: ", ")
    /// Adds the first parameter to the use counts of the ids after it.
    private static let updateUsesSQL = "UPDATE event_data_uses SET uses = uses + ? WHERE id IN (\(idParameters))"
    /// Deletes every text nothing uses (their counts go with them).
    static let deleteAllUnusedSQL =
        "DELETE FROM event_data WHERE id IN (SELECT id FROM event_data_uses WHERE uses <= 0)"
    /// Deletes the texts of these ids that nothing uses (their counts go with them).
    private static let deleteUnusedSQL =
        "DELETE FROM event_data WHERE id IN (SELECT id FROM event_data_uses WHERE uses <= 0 AND id IN (\(idParameters)))"

    /// The id `event_data` has for `text`, adding it (with no uses yet) when it has none.
    private static func storedID(_ text: UnsafeBufferPointer<UInt8>, _ db: Database) throws -> Int64 {
        // Data texts are never empty ("{}" at least); the text outlives the step, so SQLite need
        // not copy it.
        let base = UnsafeRawPointer(text.baseAddress!).assumingMemoryBound(to: CChar.self)
        let count = Int32(text.count)
        let find = try db.cachedStatement(sql: "SELECT id FROM event_data WHERE text = ?")
        if let id = try find.stepOnce(db, bind: { sqlite3_bind_text($0, 1, base, count, nil) }) { return id }
        let insert = try db.cachedStatement(sql: "INSERT INTO event_data (text) VALUES (?)")
        try insert.stepOnce(db) { sqlite3_bind_text($0, 1, base, count, nil) }
        let id = db.lastInsertedRowID
        let noUsesYet = try db.cachedStatement(sql: "INSERT INTO event_data_uses (id, uses) VALUES (?, 0)")
        try noUsesYet.stepOnce(db) { sqlite3_bind_int64($0, 1, id) }
        return id
    }

}

extension Statement {
    /// Runs the statement once with the values `bind` binds, straight through SQLite (for the
    /// writer's statements that run once per row batch or per distinct text, where GRDB's checks
    /// would cost more than SQLite's work): the first column of its first row, if it returns one.
    @discardableResult
    func stepOnce(_ db: Database, bind: (OpaquePointer) -> Void) throws -> Int64? {
        let handle = sqliteStatement
        sqlite3_reset(handle)
        bind(handle)
        let code = sqlite3_step(handle)
        let value = code == SQLITE_ROW ? sqlite3_column_int64(handle, 0) : nil
        let error = code == SQLITE_ROW || code == SQLITE_DONE ? nil : DatabaseError.sqlite(code, db)
        sqlite3_reset(handle)
        // The statement stays cached: it must not keep pointers into the caller's buffers.
        sqlite3_clear_bindings(handle)
        if let error { throw error }
        return value
    }
}

extension DatabaseError {
    /// The error SQLite reports for result `code` on `db`'s connection.
    static func sqlite(_ code: Int32, _ db: Database) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code),
            message: db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) })
    }
}
