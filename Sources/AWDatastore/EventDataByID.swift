import AWCore
import GRDB
import Synchronization

/// Event data by its `event_data` id, shared by all reads of a datastore: each distinct text is
/// read from SQLite and parsed once, and every event naming it shares the result. An id always
/// names the same text (ids are never given out again), so an entry never goes stale.
///
/// Reads of a long range run on several threads at once, each with a table of its own in front
/// of this one (`EventRowReader`), so the ids are spread over independently locked shards.
final class EventDataByID: Sendable {
    /// One stored data text and its parsed form.
    struct Entry: Sendable {
        /// The text as stored (canonical JSON).
        let text: [UInt8]
        /// The parsed object (`{}` for text that is not a JSON object).
        let data: [String: JSON]

        init(text: [UInt8]) {
            self.text = text
            data = (try? JSON.parse(text))?.objectValue ?? [:]
        }
    }

    /// A shard on a cache line of its own, so that threads working on different shards do not
    /// slow each other down.
    private final class Shard: Sendable {
        let table = Mutex(IDTable<Entry>())
        private let padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    }

    private static let shardCount = 16
    private let shards: [Shard] = (0..<EventDataByID.shardCount).map { _ in Shard() }
    /// How many entries a shard keeps; when full, it starts over.
    private let shardCapacity: Int

    /// A cache of about `capacity` distinct texts.
    init(capacity: Int = 50_000) {
        shardCapacity = max(1, capacity / Self.shardCount)
    }

    /// The data named `id`, read through `db` when it is not known yet (an id with no text,
    /// which only a damaged file has, reads as `{}`).
    func entry(_ id: Int64, _ db: Database) throws -> Entry {
        // Consecutive ids go to consecutive shards.
        let shard = shards[Int(truncatingIfNeeded: id) & (Self.shardCount - 1)]
        if let known = shard.table.withLock({ $0[id] }) { return known }
        return try load(id, db, into: shard)
    }

    /// The parsed data named `id` (as `entry(_:_:)`'s, without its text).
    func data(_ id: Int64, _ db: Database) throws -> [String: JSON] {
        let shard = shards[Int(truncatingIfNeeded: id) & (Self.shardCount - 1)]
        if let known = shard.table.withLock({ $0[id]?.data }) { return known }
        return try load(id, db, into: shard).data
    }

    /// Reads and parses the text `id`, and keeps it in `shard`.
    private func load(_ id: Int64, _ db: Database, into shard: Shard) throws -> Entry {
        let statement = try db.cachedStatement(sql: "SELECT text FROM event_data WHERE id = ?")
        let text = try String.fetchOne(statement, arguments: [id]) ?? "{}"
        let entry = Entry(text: Array(text.utf8))
        shard.table.withLock { table in
            if table.count >= shardCapacity { table = IDTable() }
            table[id] = entry
        }
        return entry
    }
}

/// An open-addressing table of values by data id (ids are positive: 0 marks a free slot), kept
/// at most half full: looked up once per event read, without hashing the key again or
/// counting references to the table's storage.
struct IDTable<Value> {
    private var keys = [Int64](repeating: 0, count: 64)
    private var values = [Value?](repeating: nil, count: 64)
    /// How many values it holds.
    private(set) var count = 0

    /// The value of `id`, if it holds one; setting stores it (ids that are not positive are
    /// never stored).
    subscript(id: Int64) -> Value? {
        get {
            guard id > 0 else { return nil }
            let mask = keys.count - 1
            var slot = Self.firstSlot(id, mask: mask)
            while true {
                let key = keys[slot]
                if key == id { return values[slot] }
                if key == 0 { return nil }
                slot = (slot + 1) & mask
            }
        }
        set {
            guard id > 0, let newValue else { return }
            if (count + 1) * 2 > keys.count { grow() }
            let mask = keys.count - 1
            var slot = Self.firstSlot(id, mask: mask)
            while keys[slot] != 0 && keys[slot] != id { slot = (slot + 1) & mask }
            if keys[slot] == 0 { count += 1 }
            keys[slot] = id
            values[slot] = newValue
        }
    }

    /// The value of `id`, from `load` (and kept) the first time.
    mutating func value(_ id: Int64, load: () throws -> Value) rethrows -> Value {
        if let known = self[id] { return known }
        let value = try load()
        self[id] = value
        return value
    }

    private mutating func grow() {
        let old = (keys, values)
        keys = [Int64](repeating: 0, count: old.0.count * 2)
        values = [Value?](repeating: nil, count: old.0.count * 2)
        count = 0
        for (key, value) in zip(old.0, old.1) where key != 0 { self[key] = value }
    }

    /// Where probing for `id` starts: the high bits of a multiplicative hash.
    private static func firstSlot(_ id: Int64, mask: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: id) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }
}
