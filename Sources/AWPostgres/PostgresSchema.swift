import AWDatastore
import Foundation
import Logging
import PostgresNIO

/// The tables of a PostgreSQL datastore and the steps that bring a database up to date.
///
/// Event times are nanoseconds since 1970 in `bigint` columns, as in the SQLite file. Event and
/// bucket data are kept as the JSON text the server writes (not `jsonb`, which would reorder
/// keys and parse every row read): reads copy it through unchanged. The index on
/// `(bucketrow, starttime DESC, endtime, id)` serves every range read (a slice of one bucket, in
/// the order the API returns it, without sorting), the newest event a heartbeat continues, and
/// the duplicate check of imports. `buckets.last_heartbeat` is
/// the event the bucket's last heartbeat went to, which the next one continues (cleared by
/// inserts and imports, which may add a newer event).
enum PostgresSchema {
    /// The steps, in order; the database records how many it has had.
    static let migrations: [String] = [
        """
        CREATE TABLE buckets (
            id bigserial PRIMARY KEY,
            name text NOT NULL UNIQUE,
            type text NOT NULL,
            client text NOT NULL,
            hostname text NOT NULL,
            created text NOT NULL,
            data text NOT NULL DEFAULT '{}',
            max_duration bigint NOT NULL DEFAULT 0,
            last_heartbeat bigint
        );
        CREATE TABLE events (
            id bigserial PRIMARY KEY,
            bucketrow bigint NOT NULL REFERENCES buckets (id) ON DELETE CASCADE,
            starttime bigint NOT NULL,
            endtime bigint NOT NULL,
            data text NOT NULL
        );
        CREATE INDEX events_bucket_time ON events (bucketrow, starttime DESC, endtime, id);
        CREATE TABLE key_value (key text PRIMARY KEY, value text NOT NULL, last_modified bigint NOT NULL);
        """
    ]

    /// Applies the steps the database has not had, under a lock so that servers starting
    /// together do not apply one twice.
    ///
    /// - Returns: Whether the schema was created now (of servers starting together, one sees
    ///   this).
    @discardableResult
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await connection.withTransaction(logger: logger) { connection in
            // An arbitrary constant: the lock all aw-server processes take to change the schema.
            try await connection.query("SELECT pg_advisory_xact_lock(4170200917)", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS aw_schema (version integer NOT NULL)", logger: logger)
            var applied = 0
            for try await version in try await connection.query("SELECT version FROM aw_schema", logger: logger)
                .decode(Int.self)
            {
                applied = max(applied, version)
            }
            if applied > migrations.count {
                throw DatastoreError.unknownSchema(
                    path: "the PostgreSQL database",
                    migrations: ["version \(applied) (this aw-server knows \(migrations.count))"])
            }
            for (index, step) in migrations.enumerated().dropFirst(applied) {
                for statement in step.split(separator: ";\n").map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                )
                where !statement.isEmpty {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("DELETE FROM aw_schema", logger: logger)
                try await connection.query("INSERT INTO aw_schema (version) VALUES (\(index + 1))", logger: logger)
                logger.info("PostgreSQL schema brought to version \(index + 1)")
            }
            return applied == 0
        }
    }
}
