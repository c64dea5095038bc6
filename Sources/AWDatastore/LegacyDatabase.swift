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
/// aw-server-rust's `sqlite.db` or the Python aw-server's `peewee-sqlite.v2.db` (and the older
/// `.v1`).
///
/// A database is recognised by its tables and columns, not by a list of known versions, so
/// every aw-server-rust schema so far (versions 1 to 7, and a `sqlite3 .dump` restore, which
/// has version 0) is read, and a later one that keeps these columns too. From version 7 a
/// bucket belongs to a device (`device_id`, `'local'` for this computer's); another device's
/// bucket is imported as `<name>@<device id>` (see `importedID(name:deviceID:)`), so buckets of
/// one name from several devices are never merged.
public struct LegacyDatabase: Sendable {
    /// Which server wrote the database.
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        /// aw-server-rust, with its `PRAGMA user_version` (0 for a restored dump).
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
        /// The bucket as it will be imported (its id from `importedID(name:deviceID:)`).
        public var bucket: Bucket
        /// The bucket's name in the database.
        public var name: String
        /// The device the bucket belongs to, from aw-server-rust schema 7 on (`local` for this
        /// computer's buckets); `nil` before.
        public var deviceID: String?
        /// The row that events refer to.
        let row: Int64
    }

    /// The id a bucket of `deviceID` named `name` is imported under: the name itself for this
    /// computer's buckets (`local`, or no device recorded), else `<name>@<deviceID>`.
    public static func importedID(name: String, deviceID: String?) -> String {
        guard let deviceID, deviceID != "local" else { return name }
        return "\(name)@\(deviceID)"
    }

    /// The columns of aw-server-rust's tables that the import reads.
    static let rustBucketColumns: Set = ["id", "name", "type", "client", "hostname", "created"]
    static let rustEventColumns: Set = ["id", "bucketrow", "starttime", "endtime", "data"]

    /// The file.
    public let path: String
    /// Which server wrote it.
    public let kind: Kind
    private let database: DatabaseQueue
    /// The columns of the bucket table.
    private let bucketColumns: Set<String>
    /// Whether the database keeps the web UI's settings (`key_value`).
    private let hasSettings: Bool

    /// Opens `path` read-only and recognises its schema.
    ///
    /// - Throws: `LegacyDatabaseError` when the file is missing, not SQLite, locked, or its tables
    ///   are not those of an ActivityWatch server (the message names what was found).
    public init(path: String) throws(LegacyDatabaseError) {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            throw LegacyDatabaseError(path: path, reason: "no such file")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(2)
        let columns: [String: Set<String>]
        let version: Int
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            (columns, version) = try database.read { db in
                var columns: [String: Set<String>] = [:]
                for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
                    columns[table] = Set(try db.columns(in: table).map(\.name))
                }
                return (columns, try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0)
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
        if let buckets = columns["buckets"], let events = columns["events"] {
            guard buckets.isSuperset(of: Self.rustBucketColumns), events.isSuperset(of: Self.rustEventColumns) else {
                func list(_ names: Set<String>) -> String { names.sorted().joined(separator: ", ") }
                throw LegacyDatabaseError(
                    path: path,
                    reason:
                        "has tables 'buckets' and 'events' (schema version \(version)) but not the columns of aw-server-rust: buckets has (\(list(buckets))), events has (\(list(events))); needed are buckets (\(list(Self.rustBucketColumns))) and events (\(list(Self.rustEventColumns)))"
                )
            }
            kind = .rust(version: version)
            bucketColumns = buckets
            hasSettings = columns["key_value"]?.isSuperset(of: ["key", "value"]) ?? false
        } else if let buckets = columns["bucketmodel"], columns["eventmodel"] != nil {
            kind = .python
            bucketColumns = buckets
            hasSettings = false
        } else {
            let found = columns.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")
            throw LegacyDatabaseError(
                path: path,
                reason:
                    "not an ActivityWatch database: it has no tables 'buckets' and 'events' (aw-server-rust) or 'bucketmodel' and 'eventmodel' (Python aw-server); found \(found.isEmpty ? "no tables" : found)"
            )
        }
    }

    /// Every bucket, ordered by id.
    public func buckets() throws(LegacyDatabaseError) -> [StoredBucket] {
        try reading { db in
            // Columns: the row events refer to, id, type, client, hostname, created, data.
            // Columns: the row events refer to, id, type, client, hostname, created, data, device.
            let sql: String
            switch kind {
            case .rust:
                let data = bucketColumns.contains("data") ? "data" : "'{}'"
                let device = bucketColumns.contains("device_id") ? "device_id" : "NULL"
                sql =
                    "SELECT id, name, type, client, hostname, created, \(data), \(device) FROM buckets ORDER BY name, \(device)"
            case .python:
                let data = bucketColumns.contains("datastr") ? "datastr" : "'{}'"
                sql = "SELECT key, id, type, client, hostname, created, \(data), NULL FROM bucketmodel ORDER BY id"
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

    /// The web UI's settings (aw-server-rust schema 4 and later stores them as `settings.<key>`
    /// in `key_value`; the Python server kept them elsewhere).
    public func settings() throws(LegacyDatabaseError) -> [(key: String, value: JSON)] {
        guard hasSettings else { return [] }
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
        let name: String = row[1]
        let deviceID: String? = row[7]
        let id = Self.importedID(name: name, deviceID: deviceID)
        guard let created = Self.timestamp(row[5]) else {
            throw LegacyDatabaseError(path: path, reason: "bucket '\(id)' has an unreadable creation time")
        }
        let fields = (row[6] as String?).flatMap { try? JSON.parse($0) }?.objectValue ?? [:]
        return StoredBucket(
            bucket: Bucket(
                id: id, type: row[2] ?? "", client: row[3] ?? "", hostname: row[4] ?? "", created: created,
                data: fields),
            name: name, deviceID: deviceID, row: row[0])
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
