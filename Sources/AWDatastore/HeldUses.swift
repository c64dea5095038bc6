import GRDB
import Logging
import Synchronization

/// Uses that writes added to data texts and that `event_data_uses` does not count yet, kept by a
/// datastore for its writer. A write that only adds uses (a bulk insert, an import, new
/// heartbeat events) leaves them here instead of updating a count per distinct text it names (a
/// quarter of a 1,000-event insert's time when each event has a text of its own); they are
/// stored, merged, by the next write that gives uses back (an event replaced or deleted: only
/// exact counts tell which texts nothing uses any more), by a bucket's deletion, once more than
/// `capacity` texts are held, and at close. Heartbeats replace events, so while watchers run,
/// uses are held for seconds at most.
///
/// While uses are held the file carries a mark (`Schema.heldUsesKey` in `key_value`), written in
/// the transaction of the first write that leaves some and deleted in the one that stores them:
/// a datastore opening a file with the mark (its last run ended without storing them) counts
/// every text's uses again from the events (`countAgainIfMarked`), so no crash can leave a text
/// deleted while an event still names it.
///
/// When that count cannot be written (a read-only file, a full disk), the datastore opens all
/// the same, the stored counts may be short, and no text is deleted until a start has counted
/// them (the mark stays).
///
/// Only the writer uses it, inside its transactions; a transaction that rolls back undoes what
/// it changed here.
final class HeldUses: Sendable {
    private struct State {
        /// Uses held, by text id.
        var uses: [Int64: Int] = [:]
        /// Whether the mark is stored (by a committed write or the current transaction); after a
        /// rollback it is not known, and the next write that holds uses stores it again.
        var markStored = false
    }

    private let state = Mutex(State())
    /// The most texts it holds uses of.
    private let capacity: Int
    /// Whether stored counts are exact, so that a text whose count comes to zero can be deleted:
    /// false when the count at start failed.
    private let countsExact = Atomic(true)

    /// Whether writes may delete the texts whose stored count comes to zero.
    var deletesUnused: Bool { countsExact.load(ordering: .relaxed) }

    init(capacity: Int = 50_000) {
        self.capacity = capacity
    }

    /// Holds `added` (uses added by this transaction to the texts of these ids, each at least
    /// one) instead of storing them, storing the mark first when needed; false, holding nothing,
    /// when it would then hold more than `capacity` texts.
    func hold(_ added: [(id: Int64, uses: Int)], _ db: Database) throws -> Bool {
        let (fits, markStored) = state.withLock { ($0.uses.count + added.count <= capacity, $0.markStored) }
        guard fits else { return false }
        if !markStored {
            try db.execute(
                sql: "INSERT OR REPLACE INTO key_value (key, value, last_modified) VALUES (?, 'true', 0)",
                arguments: [Schema.heldUsesKey])
        }
        state.withLock { state in
            state.markStored = true
            for (id, uses) in added { state.uses[id, default: 0] += uses }
        }
        db.afterNextTransaction { _ in
        } onRollback: { _ in
            self.state.withLock { state in
                state.markStored = false
                for (id, uses) in added { Self.add(-uses, to: id, in: &state.uses) }
            }
        }
        return true
    }

    /// Takes every held use for this transaction to store, and deletes the mark; they are held
    /// again if the transaction rolls back.
    func take(_ db: Database) throws -> [Int64: Int] {
        let (taken, markStored) = state.withLock { ($0.uses, $0.markStored) }
        guard !taken.isEmpty || markStored else { return [:] }
        if deletesUnused {
            try db.execute(sql: "DELETE FROM key_value WHERE key = ?", arguments: [Schema.heldUsesKey])
        }
        state.withLock { $0 = State(markStored: !deletesUnused) }
        db.afterNextTransaction { _ in
        } onRollback: { _ in
            self.state.withLock { state in
                state.markStored = false
                for (id, uses) in taken { Self.add(uses, to: id, in: &state.uses) }
            }
        }
        return taken
    }

    /// Stores every held use in this transaction.
    func storeAll(_ db: Database) throws {
        _ = try EventDataIDs.store(take(db), deletingUnused: false, db)
    }

    /// Adds `uses` to the entry of `id`, dropping it when it comes to nothing.
    private static func add(_ uses: Int, to id: Int64, in held: inout [Int64: Int]) {
        let total = held[id, default: 0] + uses
        held[id] = total == 0 ? nil : total
    }

    /// Counts every text's uses again from the events when the file carries the mark (uses
    /// were held when its last run ended), and deletes the texts nothing uses. When that cannot
    /// be written, says so, and no text is deleted while this datastore is open.
    func countAgainIfMarked(_ writer: any DatabaseWriter, path: String, logger: Logger) {
        do {
            try Self.countAgainIfMarked(writer, path: path, logger: logger)
        } catch {
            countsExact.store(false, ordering: .relaxed)
            logger.warning(
                "could not count the uses of \(path)'s data texts again (\(error)): no text is deleted from it until a start can"
            )
        }
    }

    private static func countAgainIfMarked(_ writer: any DatabaseWriter, path: String, logger: Logger) throws {
        try writer.write { db in
            guard
                try Bool.fetchOne(db, sql: "SELECT 1 FROM key_value WHERE key = ?", arguments: [Schema.heldUsesKey])
                    != nil
            else { return }
            try db.execute(
                sql: """
                    UPDATE event_data_uses SET uses = 0;
                    UPDATE event_data_uses SET uses = counted.uses
                        FROM (SELECT data_id, COUNT(*) AS uses FROM events GROUP BY data_id) AS counted
                        WHERE event_data_uses.id = counted.data_id;
                    """)
            try db.execute(sql: EventDataIDs.deleteAllUnusedSQL)
            try db.execute(sql: "DELETE FROM key_value WHERE key = ?", arguments: [Schema.heldUsesKey])
            logger.info("counted the uses of \(path)'s data texts again: its last run ended before storing them")
        }
    }
}
