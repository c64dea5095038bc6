import AWCore
import GRDB
import GRDBSQLite
import Synchronization

/// Event data by its `event_data` id, shared by all reads of a datastore: each distinct text is
/// read from SQLite and parsed once, and every event naming it shares the result. An id always
/// names the same text (ids are never given out again), so an entry never goes stale.
final class EventDataByID: Sendable {
    /// One stored data text and its parsed form.
    final class Entry: Sendable {
        /// The text as stored (canonical JSON).
        let text: [UInt8]
        /// The parsed object (`{}` for text that is not a JSON object).
        let data: [String: JSON]

        init(text: [UInt8]) {
            self.text = text
            data = (try? JSON.parse(text))?.objectValue ?? [:]
        }
    }

    private let entries = Mutex<[Int64: Entry]>([:])
    /// How many entries are kept; when full, it starts over.
    private let capacity: Int

    /// A cache of about `capacity` distinct texts.
    init(capacity: Int = 50_000) {
        self.capacity = max(1, capacity)
    }

    /// The data named `id`, read through `db` when it is not known yet (an id with no text,
    /// which only a damaged file has, reads as `{}`).
    func entry(_ id: Int64, _ db: Database) throws -> Entry {
        if let known = entries.withLock({ $0[id] }) { return known }
        let statement = try db.cachedStatement(sql: "SELECT text FROM event_data WHERE id = ?")
        let entry = Entry(
            text: try String.fetchOne(statement, arguments: [id]).map { Array($0.utf8) } ?? Array("{}".utf8))
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[id] = entry
        }
        return entry
    }
}
