import Foundation
import GRDB

/// The database schema and its named migrations.
///
/// Tables follow aw-server-rust's layout so the file is familiar to anyone who knows it:
/// `buckets` (public id in `name`), `events` (start/end as integer nanoseconds since the epoch,
/// `data` as compact JSON with sorted keys) and `key_value` (settings as JSON text). Events are
/// stored clustered by bucket and start time (a `WITHOUT ROWID` table whose key is the order
/// range reads return), so reading a period is one sequential scan; a unique index finds
/// events by id. The highest event id ever given out is kept in `key_value` under
/// `Schema.eventIDHighWaterKey`, so ids are never reused.
enum Schema {
    /// The `key_value` key holding the next event id to give out.
    static let eventIDHighWaterKey = "internal.next_event_id"

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
                        PRIMARY KEY (bucketrow, starttime DESC, endtime, id)
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
}
