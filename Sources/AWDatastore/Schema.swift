import Foundation
import GRDB
import Logging

/// The database schema and its named migrations.
///
/// Tables follow aw-server-rust's layout so the file is familiar to anyone who knows it:
/// `buckets` (public id in `name`), `events` (start/end as integer nanoseconds since the epoch,
/// `data` as compact JSON with sorted keys) and `key_value` (settings as JSON text). Events are
/// stored clustered by bucket and start time, oldest first (a `WITHOUT ROWID` table whose key,
/// read backwards, is the order range reads return: newest first, then shortest, then by id), so
/// reading a period is one sequential scan and new events are appended where their bucket ends,
/// which keeps pages full; a unique index finds events by id. The highest event id ever given
/// out is kept in `key_value` under `Schema.eventIDHighWaterKey`, so ids are never reused.
enum Schema {
    /// The `key_value` key holding the next event id to give out.
    static let eventIDHighWaterKey = "internal.next_event_id"

    /// The `CREATE TABLE` statement of the events table.
    static func eventsTable(named name: String) -> String {
        """
        CREATE TABLE \(name) (
            bucketrow INTEGER NOT NULL REFERENCES buckets(id),
            starttime INTEGER NOT NULL,
            endtime INTEGER NOT NULL,
            id INTEGER NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (bucketrow, starttime ASC, endtime DESC, id DESC)
        ) WITHOUT ROWID;
        """
    }

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
                    \(eventsTable(named: "events"))
                    CREATE UNIQUE INDEX events_id ON events (id);
                    CREATE TABLE key_value (
                        key TEXT PRIMARY KEY,
                        value TEXT NOT NULL,
                        last_modified INTEGER NOT NULL
                    );
                    """
            )
        }
        return migrator
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

    /// Brings the database at `path` up to date.
    ///
    /// - Throws: `DatastoreError.unknownSchema` when the file has migrations this version does not
    ///   know (it was written by a newer aw-server), `.notADatabase` for another program's
    ///   database, or the underlying SQLite error.
    /// - Returns: Whether the database was created now (it had none of our tables).
    @discardableResult
    static func migrate(_ writer: any DatabaseWriter, path: String) throws -> Bool {
        let isNew = try writer.read { db in
            try checkIsOurs(db, path: path)
            return try !db.tableExists("grdb_migrations")
        }
        try migrator.migrate(writer)
        return isNew
    }

    /// Rewrites an events table of the first layout (newest first, written by earlier builds), in
    /// which every new event was inserted at the front of its bucket and pages were left half
    /// full, in today's layout: the same rows, about a third less space, bulk writes about 1.5
    /// times as fast. Done once, at start, in one transaction, then the file is compacted (about
    /// 4 s per million events here); when the file system holding `folder` has not room for three
    /// more copies of the database (the new table, its write-ahead log, the compacted copy), or
    /// the rewrite fails, the table is left as it was (every read and write works the same on it)
    /// and the next start tries again.
    ///
    /// - Returns: How many events were rewritten (0 when nothing was to be done).
    @discardableResult
    static func storeEventsOldestFirst(_ writer: any DatabaseWriter, path: String, folder: String, logger: Logger)
        -> Int
    {
        let definition = try? writer.read { db in
            try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'")
        }
        guard let definition, definition.contains("starttime DESC") else { return 0 }
        guard FileManager.default.isWritableFile(atPath: path) else { return 0 }
        let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int ?? 0
        let needed = 3 * size + 64 << 20
        if let free = freeBytes(folder), free < needed {
            logger.warning(
                "the event table of \(path) keeps its older layout for now: rewriting it needs \(needed >> 20) MiB free, the disk has \(free >> 20) MiB; everything works the same, bulk writes are slower"
            )
            return 0
        }
        logger.info(
            "rewriting the event table of \(path) oldest first, once (a third less space, faster writes); the server answers when it is done"
        )
        let started = ContinuousClock.now
        do {
            let count = try writer.write { db in
                try db.execute(sql: eventsTable(named: "events_oldest_first"))
                try db.execute(
                    sql: """
                        INSERT INTO events_oldest_first (bucketrow, starttime, endtime, id, data)
                            SELECT bucketrow, starttime, endtime, id, data FROM events
                            ORDER BY bucketrow, starttime ASC, endtime DESC, id DESC
                        """)
                let count = db.changesCount
                try db.execute(
                    sql: """
                        DROP TABLE events;
                        ALTER TABLE events_oldest_first RENAME TO events;
                        CREATE UNIQUE INDEX events_id ON events (id);
                        """)
                return count
            }
            logger.info("rewrote \(count) events in \(started.duration(to: .now).components.seconds) s")
            compact(writer, path: path, logger: logger)
            return count
        } catch {
            logger.warning("the event table of \(path) keeps its older layout for now: \(error)")
            return 0
        }
    }

    /// Hands the free pages of the file (the old table's, after a rewrite) back to the file system.
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
