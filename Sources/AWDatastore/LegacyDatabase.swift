import AWCore
import Foundation
import GRDB

/// Why an ActivityWatch database cannot be imported.
public struct LegacyDatabaseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// What is wrong with it.
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// A database of another ActivityWatch server, opened read-only and never modified:
/// aw-server-rust's `sqlite.db` (schema versions 1-5) or the Python aw-server's
/// `peewee-sqlite.v2.db` (and the older `.v1`).
public struct LegacyDatabase: Sendable {
    /// Which server wrote the database.
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        /// aw-server-rust, with its `PRAGMA user_version`.
        case rust(version: Int)
        /// The Python aw-server (peewee), with the version in its file name when known.
        case python

        public var description: String {
            switch self {
            case .rust(let version): "aw-server-rust database (schema version \(version))"
            case .python: "Python aw-server database"
            }
        }
    }

    /// One bucket of the database and where its events are.
    public struct StoredBucket: Sendable {
        /// The bucket as it will be imported.
        public var bucket: Bucket
        /// The row that events refer to.
        let row: Int64
    }

    /// The file.
    public let path: String
    /// Which server wrote it.
    public let kind: Kind
    private let database: DatabaseQueue

    /// Opens `path` read-only and recognises its schema.
    ///
    /// - Throws: `LegacyDatabaseError` when the file is missing, not SQLite, locked, of another
    ///   program, or of a schema version this importer does not know.
    public init(path: String) throws(LegacyDatabaseError) {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            throw LegacyDatabaseError(path: path, reason: "no such file")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(2)
        let tables: Set<String>
        let version: Int
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            (tables, version) = try database.read { db in
                (
                    Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")),
                    try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                )
            }
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                throw LegacyDatabaseError(path: path, reason: "not an SQLite database, or damaged")
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                throw LegacyDatabaseError(path: path, reason: "locked by another program (stop the server using it)")
            default:
                throw LegacyDatabaseError(path: path, reason: "cannot be read: \(error.message ?? "\(error)")")
            }
        } catch {
            throw LegacyDatabaseError(path: path, reason: "cannot be read: \(error)")
        }
        if tables.isSuperset(of: ["buckets", "events"]) {
            guard (1...5).contains(version) else {
                throw LegacyDatabaseError(
                    path: path,
                    reason: "aw-server-rust schema version \(version) is not known (versions 1 to 5 are)")
            }
            kind = .rust(version: version)
        } else if tables.isSuperset(of: ["bucketmodel", "eventmodel"]) {
            kind = .python
        } else {
            throw LegacyDatabaseError(path: path, reason: "not an ActivityWatch database (no buckets or events tables)")
        }
    }

    /// Every bucket, ordered by id.
    public func buckets() throws(LegacyDatabaseError) -> [StoredBucket] {
        try reading { db in
            // Columns: the row events refer to, id, type, client, hostname, created, data.
            let sql: String
            switch kind {
            case .rust(let version):
                sql =
                    "SELECT id, name, type, client, hostname, created, \(version >= 2 ? "data" : "'{}'") FROM buckets ORDER BY name"
            case .python:
                let data = try db.columns(in: "bucketmodel").contains { $0.name == "datastr" } ? "datastr" : "'{}'"
                sql = "SELECT key, id, type, client, hostname, created, \(data) FROM bucketmodel ORDER BY id"
            }
            return try Row.fetchAll(db, sql: sql).map { row throws(LegacyDatabaseError) in try stored(row) }
        }
    }

    /// The events table and its column naming the bucket's row.
    private var eventTable: (name: String, bucketColumn: String) {
        switch kind {
        case .rust: ("events", "bucketrow")
        case .python: ("eventmodel", "bucket_id")
        }
    }

    /// The number of events in `bucket`.
    public func eventCount(of bucket: StoredBucket) throws(LegacyDatabaseError) -> Int {
        try reading { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM \(eventTable.name) WHERE \(eventTable.bucketColumn) = ?",
                arguments: [bucket.row]) ?? 0
        }
    }

    /// Reads `bucket`'s events in batches of `batchSize`, oldest row first, and hands each batch
    /// to `body`.
    ///
    /// - Throws: `LegacyDatabaseError` naming the event that cannot be read, or what `body` throws.
    public func forEachBatch(
        of bucket: StoredBucket, batchSize: Int = 10_000, _ body: ([Event]) throws -> Void
    ) throws {
        var after: Int64?
        while true {
            let (events, last) = try batch(of: bucket, after: after, limit: batchSize)
            guard let last else { return }
            after = last
            try body(events)
        }
    }

    /// Up to `limit` of `bucket`'s events, in row order, from the row after `after` (the first
    /// when `nil`), with the last row read (`nil` when there are no more).
    ///
    /// - Throws: `LegacyDatabaseError` naming the event that cannot be read.
    public func batch(of bucket: StoredBucket, after: Int64?, limit: Int) throws(LegacyDatabaseError) -> (
        events: [Event], last: Int64?
    ) {
        // `+bucketrow` keeps SQLite on the rowid order: with the (bucketrow, starttime) index it
        // would sort the whole bucket again for every batch.
        let columns =
            switch kind {
            case .rust: "id, starttime, endtime, data"
            case .python: "id, timestamp, duration, datastr"
            }
        let sql =
            "SELECT \(columns) FROM \(eventTable.name) WHERE +\(eventTable.bucketColumn) = ? AND id > ? ORDER BY id LIMIT ?"
        return try reading { db in
            var events: [Event] = []
            events.reserveCapacity(limit)
            var last: Int64?
            let rows = try Row.fetchCursor(db, sql: sql, arguments: [bucket.row, after ?? .min, limit])
            while let row = try rows.next() {
                events.append(try event(row, bucketID: bucket.bucket.id))
                last = row[0]
            }
            return (events, last)
        }
    }

    /// The web UI's settings (aw-server-rust schema 4 and later stores them as `settings.<key>`;
    /// the Python server kept them elsewhere).
    public func settings() throws(LegacyDatabaseError) -> [(key: String, value: JSON)] {
        guard case .rust(let version) = kind, version >= 4 else { return [] }
        return try reading { db in
            try Row.fetchAll(db, sql: "SELECT key, value FROM key_value WHERE key LIKE 'settings.%' ORDER BY key")
                .compactMap { row in
                    let key: String = row[0]
                    guard let text: String = row[1], let value = try? JSON.parse(text) else { return nil }
                    return (String(key.dropFirst("settings.".count)), value)
                }
        }
    }

    // MARK: Decoding

    /// A bucket from a row of `buckets()`'s query.
    private func stored(_ row: Row) throws(LegacyDatabaseError) -> StoredBucket {
        let id: String = row[1]
        guard let created = Self.timestamp(row[5]) else {
            throw LegacyDatabaseError(path: path, reason: "bucket '\(id)' has an unreadable creation time")
        }
        let fields = (row[6] as String?).flatMap { try? JSON.parse($0) }?.objectValue ?? [:]
        return StoredBucket(
            bucket: Bucket(
                id: id, type: row[2] ?? "", client: row[3] ?? "", hostname: row[4] ?? "", created: created,
                data: fields),
            row: row[0])
    }

    private func event(_ row: Row, bucketID: String) throws(LegacyDatabaseError) -> Event {
        let id: Int64 = row[0]
        let problem = { (what: String) in
            LegacyDatabaseError(path: path, reason: "event \(id) of bucket '\(bucketID)' \(what)")
        }
        let start: Timestamp
        let duration: Int64
        switch kind {
        case .rust:
            guard let startNanoseconds: Int64 = row[1], let endNanoseconds: Int64 = row[2] else {
                throw problem("has no start or end time")
            }
            start = Timestamp(nanoseconds: startNanoseconds)
            duration = max(0, endNanoseconds - startNanoseconds)
        case .python:
            guard let timestamp = Self.timestamp(row[1]) else { throw problem("has an unreadable timestamp") }
            start = timestamp
            let seconds: Double = row[2] ?? 0
            duration = Int64((max(0, seconds) * 1e9).rounded())
        }
        let dataText: String? = row[3]
        let data: [String: JSON]
        if let dataText, !dataText.isEmpty, dataText != "null" {
            guard case .object(let fields) = try? JSON.parse(dataText) else {
                throw problem("has data that is not a JSON object")
            }
            data = fields
        } else {
            data = [:]
        }
        return Event(timestamp: start, durationNanoseconds: duration, data: data)
    }

    /// Reads the timestamp forms these servers stored: RFC 3339 with `T` or a space, with or
    /// without a UTC offset (then UTC), with any number of fraction digits.
    static func timestamp(_ value: DatabaseValue) -> Timestamp? {
        // The date and time are joined by `T` or a space.
        guard let text = String.fromDatabaseValue(value)?.trimmingCharacters(in: .whitespaces), text.count >= 19,
            [" ", "T"].contains(text.dropFirst(10).first)
        else {
            return nil
        }
        var normalized = String(text.prefix(10)) + "T" + text.dropFirst(11)
        let time = normalized.dropFirst(19)
        if !time.contains("Z") && !time.contains("+") && !time.contains("-") { normalized += "Z" }
        return try? Timestamp(rfc3339: normalized)
    }

    private func reading<T>(_ body: (Database) throws -> T) throws(LegacyDatabaseError) -> T {
        do {
            return try database.read(body)
        } catch let error as LegacyDatabaseError {
            throw error
        } catch let error as DatabaseError {
            throw LegacyDatabaseError(path: path, reason: "cannot be read: \(error.message ?? "\(error)")")
        } catch {
            throw LegacyDatabaseError(path: path, reason: "cannot be read: \(error)")
        }
    }
}
