import AWCore
import Foundation
import GRDB
import Logging

/// The database schema and its named migrations.
///
/// Tables follow aw-server-rust's layout where they can, so the file is familiar to anyone who
/// knows it: `buckets` (public id in `name`), `events` (start/end as integer nanoseconds since the
/// epoch) and `key_value` (settings as JSON text). An event's data (compact JSON with sorted keys)
/// is kept once per distinct text in `event_data`, and an event names it by `data_id`: a window
/// watcher repeats the same few hundred app/title pairs thousands of times, so the events table
/// holds five integers a row and a long range reads about half the bytes. The number of events
/// using each text is kept in `event_data_uses` (a narrow table of its own: storing counts updates
/// one for each distinct text, and a small table makes those pages few; writes that only add uses
/// leave them to `HeldUses` for a while, the file marked meanwhile). A text nothing uses any more
/// is deleted with its last event (deleting a bucket leaves none of its titles in the file), its
/// count going with it (`ON DELETE CASCADE`), and its id is never given out again
/// (`AUTOINCREMENT`), so an id always means the same text. Events are stored clustered by bucket
/// and start time, oldest first (a `WITHOUT ROWID` table whose key, read backwards, is the order
/// range reads return: newest first, then shortest, then by id), so reading a period is one
/// sequential scan and new events are appended where their bucket ends, which keeps pages full; a
/// unique index finds events by id. The highest event id ever given out is kept in `key_value`
/// under `Schema.eventIDHighWaterKey`, so ids are never reused.
enum Schema {
    /// The `key_value` key holding the next event id to give out.
    static let eventIDHighWaterKey = "internal.next_event_id"

    /// The `key_value` key present while a datastore holds uses of data texts not yet counted in
    /// `event_data_uses` (`HeldUses`).
    static let heldUsesKey = "internal.data_uses_held"

    /// The migration that keeps each distinct data text once.
    static let eventDataMigration = "v2: event data kept once per distinct text"

    /// The migration that moves the texts' use counts to a table of their own.
    static let useCountsMigration = "v3: use counts of event data in a table of their own"

    /// The columns, and the join, that read whole events (`id, starttime, endtime, text`).
    static let storedEventColumns =
        "events.id, events.starttime, events.endtime, event_data.text FROM events JOIN event_data ON event_data.id = events.data_id"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: buckets, events, key_value") { db in
            try db.execute(
                sql: """
                    CREATE TABLE buckets (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT UNIQUE NOT NULL,
                        type TEXT NOT NULL,
                        client TEXT NOT NULL,
                        hostname TEXT NOT NULL,
                        created TEXT NOT NULL,
                        data TEXT NOT NULL DEFAULT '{}',
                        max_duration INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE TABLE events (
                        bucketrow INTEGER NOT NULL REFERENCES buckets(id),
                        starttime INTEGER NOT NULL,
                        endtime INTEGER NOT NULL,
                        id INTEGER NOT NULL,
                        data TEXT NOT NULL,
                        PRIMARY KEY (bucketrow, starttime ASC, endtime DESC, id DESC)
                    ) WITHOUT ROWID;
                    CREATE UNIQUE INDEX events_id ON events (id);
                    CREATE TABLE key_value (
                        key TEXT PRIMARY KEY,
                        value TEXT NOT NULL,
                        last_modified INTEGER NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration(eventDataMigration) { db in try keepEventDataOnce(db) }
        migrator.registerMigration(useCountsMigration) { db in
            try db.execute(
                sql: """
                    CREATE TABLE event_data_uses (
                        id INTEGER PRIMARY KEY REFERENCES event_data(id) ON DELETE CASCADE,
                        uses INTEGER NOT NULL
                    );
                    INSERT INTO event_data_uses (id, uses) SELECT id, uses FROM event_data;
                    ALTER TABLE event_data DROP COLUMN uses;
                    """)
        }
        // Foreign keys are checked row by row as the migrations write; GRDB's check of the whole
        // file afterwards would read every event again.
        return migrator.disablingDeferredForeignKeyChecks()
    }

    /// Moves every event's data text into `event_data` (once per distinct text, with its number
    /// of uses) and rewrites the events table oldest first with `data_id` in place of the text.
    /// Files of both earlier layouts (events newest first, or oldest first with the text in the
    /// row) come out the same.
    private static func keepEventDataOnce(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE event_data (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    text TEXT NOT NULL UNIQUE,
                    uses INTEGER NOT NULL
                );
                INSERT INTO event_data (text, uses) SELECT data, COUNT(*) FROM events GROUP BY data;
                CREATE TABLE events_by_data_id (
                    bucketrow INTEGER NOT NULL REFERENCES buckets(id),
                    starttime INTEGER NOT NULL,
                    endtime INTEGER NOT NULL,
                    id INTEGER NOT NULL,
                    data_id INTEGER NOT NULL,
                    PRIMARY KEY (bucketrow, starttime ASC, endtime DESC, id DESC)
                ) WITHOUT ROWID;
                INSERT INTO events_by_data_id (bucketrow, starttime, endtime, id, data_id)
                    SELECT bucketrow, starttime, endtime, id, (SELECT id FROM event_data WHERE text = events.data)
                    FROM events ORDER BY bucketrow, starttime ASC, endtime DESC, id DESC;
                DROP TABLE events;
                ALTER TABLE events_by_data_id RENAME TO events;
                CREATE UNIQUE INDEX events_id ON events (id);
                """)
    }

    /// Refuses a database this version must not change: one written by a newer aw-server
    /// (migrations it does not know), or another program's (tables, but none of ours).
    ///
    /// - Throws: `DatastoreError.unknownSchema` or `.notADatabase`, or the SQLite error of a
    ///   file that is not a database at all.
    static func checkIsOurs(_ db: Database, path: String) throws {
        let tables = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        guard tables.contains("grdb_migrations") else {
            guard tables.isEmpty else {
                throw DatastoreError.notADatabase(
                    path: path,
                    reason: "it holds tables of another program (\(tables.prefix(5).joined(separator: ", ")))")
            }
            return
        }
        let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        let unknown = applied.filter { !migrator.migrations.contains($0) }
        if !unknown.isEmpty { throw DatastoreError.unknownSchema(path: path, migrations: unknown) }
    }

    /// Checks an existing file with a read-only connection, before anything (even switching it to
    /// WAL mode) writes to it: a file that is not ours is left exactly as it was.
    static func checkExistingFile(path: String) throws(DatastoreError) {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0 else {
            return
        }
        var configuration = Configuration()
        configuration.readonly = true
        do {
            try DatabaseQueue(path: path, configuration: configuration).read { db in try checkIsOurs(db, path: path) }
        } catch {
            throw DatastoreError.wrapping(error, path: path)
        }
    }

    /// Brings the database at `path` up to date. A file written by an earlier version is
    /// converted once: when it holds each event's data text in the row, its events are rewritten
    /// (about 4 s per million events here) and the file compacted; a file that already keeps
    /// each text once only has its texts' use counts moved (well under a second). The server
    /// answers when it is done.
    ///
    /// - Throws: `DatastoreError.unknownSchema` when the file has migrations this version does not
    ///   know (it was written by a newer aw-server), `.notADatabase` for another program's
    ///   database, `.cannotOpen` when the disk has no room for rewriting the events (the file is
    ///   left as it was), or the underlying SQLite error (then the conversion is rolled back).
    /// - Returns: Whether the database was created now (it had none of our tables).
    @discardableResult
    static func migrate(_ writer: any DatabaseWriter, path: String, logger: Logger) throws -> Bool {
        let (isNew, pending, eventsToConvert) = try writer.read { db in
            try checkIsOurs(db, path: path)
            guard try db.tableExists("grdb_migrations") else { return (true, [String](), 0) }
            let applied = try migrator.appliedIdentifiers(db)
            let pending = migrator.migrations.filter { !applied.contains($0) }
            guard !pending.isEmpty else { return (false, pending, 0) }
            return (false, pending, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0)
        }
        guard eventsToConvert > 0 else {
            try migrator.migrate(writer)
            return isNew
        }
        let rewritesEvents = pending.contains(eventDataMigration)
        if rewritesEvents { try checkRoomToConvert(path: path) }
        let change =
            rewritesEvents
            ? "each distinct data text kept once: about half the space, faster long reads"
            : "the use counts of data texts kept apart: faster bulk writes"
        logger.info(
            "converting \(path) (\(eventsToConvert) events) once to this version's layout (\(change)); the server answers when it is done"
        )
        let started = ContinuousClock.now
        try migrator.migrate(writer)
        let seconds = Double(started.duration(to: .now).nanosecondCount) / 1e9
        logger.info("converted \(path) in \(String(format: "%.1f", seconds)) s")
        if rewritesEvents { compact(writer, path: path, logger: logger) }
        return false
    }

    /// Refuses to convert a file when its file system has not room for the new tables, their
    /// write-ahead log and the compacted copy: about the size of the file again.
    private static func checkRoomToConvert(path: String) throws {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else { return }
        let needed = size + 64 << 20
        let folder = (path as NSString).deletingLastPathComponent
        if let free = freeBytes(folder.isEmpty ? "." : folder), free < needed {
            throw DatastoreError.cannotOpen(
                path: path,
                reason:
                    "converting it to this version's layout needs \(needed >> 20) MiB free on its disk, which has \(free >> 20) MiB; free some space (the file is unchanged)"
            )
        }
    }

    /// Hands the free pages of the file (the old table's, after a conversion) back to the file system.
    private static func compact(_ writer: any DatabaseWriter, path: String, logger: Logger) {
        do {
            try writer.writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM")
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch {
            logger.warning("\(path) keeps the old table's space for new events: compacting it failed: \(error)")
        }
    }

    /// Bytes available to this user on the file system holding `folder`, if it can be told.
    private static func freeBytes(_ folder: String) -> Int? {
        var stats = statvfs()
        guard statvfs(folder, &stats) == 0 else { return nil }
        return Int(stats.f_bavail) * Int(stats.f_frsize)
    }
}
