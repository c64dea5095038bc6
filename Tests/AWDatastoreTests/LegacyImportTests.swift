import AWCore
import AWStoreTestSupport
import AWTestSupport
import Foundation
import GRDB
import Testing

@testable import AWDatastore

/// aw-server-rust databases of each schema version and a Python aw-server (peewee) database, built
/// from their documented schemas, imported into each store (a real SQLite file, or PostgreSQL).
@Suite("Importing aw-server-rust and Python aw-server databases")
struct LegacyImportTests {
    /// Events with the edge cases: zero duration, nanosecond fractions, large data, null data.
    static let start: Int64 = 1_704_164_645_123_456_789
    static let big = String(repeating: "é", count: 100_000)

    /// The schema versions of aw-server-rust the tests build; 0 is a database restored from
    /// `sqlite3 .dump`, which keeps the tables (here those of version 6) but not `user_version`.
    static let rustSchemaVersions = [0, 1, 2, 3, 4, 5, 6, 7]

    /// The tables of version `version`: what each version's migrations leave (6 adds an index,
    /// 7 rebuilds `buckets` with a device per bucket, unique per device and name).
    static func rustSchema(version: Int) -> String {
        let data =
            version >= 3 || version == 0
            ? ", data_deprecated TEXT DEFAULT '{}', data TEXT NOT NULL DEFAULT '{}'"
            : version == 2 ? ", data TEXT NOT NULL DEFAULT '{}'" : ""
        let buckets =
            version == 7
            ? """
            CREATE TABLE buckets (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, type TEXT NOT NULL,
                client TEXT NOT NULL, hostname TEXT NOT NULL, created TEXT NOT NULL, data TEXT NOT NULL DEFAULT '{}',
                device_id TEXT NOT NULL DEFAULT 'local', UNIQUE(device_id, name));
            """
            : """
            CREATE TABLE buckets (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE NOT NULL, type TEXT NOT NULL,
                client TEXT NOT NULL, hostname TEXT NOT NULL, created TEXT NOT NULL\(data));
            """
        var schema =
            buckets + """
                CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, bucketrow INTEGER NOT NULL REFERENCES buckets(id),
                    starttime INTEGER NOT NULL, endtime INTEGER NOT NULL, data TEXT NOT NULL);
                """
        if version >= 5 || version == 0 {
            schema +=
                "CREATE INDEX events_bucketrow_starttime_endtime_index ON events(bucketrow, starttime DESC, endtime);"
        }
        if version >= 6 || version == 0 {
            schema +=
                "CREATE INDEX events_bucketrow_endtime_starttime_index ON events(bucketrow, endtime, starttime DESC);"
        }
        return schema
    }

    /// Creates an aw-server-rust database of schema `version` with two buckets (and, from version
    /// 7, a bucket of another device with the same name as a local one).
    static func makeRustDatabase(_ path: String, version: Int) throws {
        let database = try DatabaseQueue(path: path)
        try database.write { db in
            try db.execute(sql: rustSchema(version: version))
            if version >= 4 || version == 0 {
                try db.execute(
                    sql: "CREATE TABLE key_value (key TEXT PRIMARY KEY, value TEXT, last_modified NUMBER NOT NULL)")
                try db.execute(
                    sql: "INSERT INTO key_value VALUES ('settings.startOfDay', '\"04:00\"', 1), ('other', '1', 1)")
            }
            let hasData = version >= 2 || version == 0
            let bucketData = hasData ? ", data" : ""
            let bucketValue = hasData ? ", '{\"device\":\"laptop\"}'" : ""
            try db.execute(
                sql: """
                    INSERT INTO buckets (id, name, type, client, hostname, created\(bucketData)) VALUES
                        (7, 'aw-watcher-window_old', 'currentwindow', 'aw-watcher-window', 'old', '2024-01-02 03:04:05.123456789+00:00'\(bucketValue)),
                        (9, 'empty', 'test', 'c', 'old', '2024-01-02T03:04:05Z'\(hasData ? ", '{}'" : ""))
                    """)
            if version == 7 {
                try db.execute(
                    sql: """
                        INSERT INTO buckets (id, name, type, client, hostname, created, data, device_id) VALUES
                            (11, 'aw-watcher-window_old', 'currentwindow', 'aw-watcher-window', 'desk', '2024-02-01 00:00:00+00:00', '{}', 'f00d-peer');
                        INSERT INTO events (bucketrow, starttime, endtime, data) VALUES (11, \(start), \(start + 3), '{"app":"peer ☂","title":"x"}');
                        """)
            }
            try db.execute(
                sql:
                    "INSERT INTO events (bucketrow, starttime, endtime, data) VALUES (7, ?, ?, ?), (7, ?, ?, ?), (7, ?, ?, ?), (7, ?, ?, ?)",
                arguments: [
                    start, start + 1_000_000_001, "{\"app\":\"Ünïcode ✓\",\"title\":\"x\"}",
                    start + 5_000_000_000, start + 5_000_000_000, "{\"app\":\"zero\"}",
                    start + 6_000_000_000, start + 7_000_000_000, "{\"big\":\"\(big)\"}",
                    start + 8_000_000_000, start + 9_000_000_000, "null",
                ])
            try db.execute(sql: "PRAGMA user_version = \(version)")
        }
    }

    @Test(
        "every rust schema version: buckets, every event to the nanosecond, settings",
        arguments: StoreKind.all, rustSchemaVersions)
    func rustVersions(kind: StoreKind, version: Int) async throws {
        let folder = TemporaryDirectory()
        let source = folder.file("sqlite.db")
        try Self.makeRustDatabase(source, version: version)
        let before = try Data(contentsOf: URL(fileURLWithPath: source))
        let store = try await kind.make()
        let legacy = try LegacyDatabase(path: source)
        #expect(legacy.kind == .rust(version: version))
        let summary = try await store.importLegacy(legacy)
        let peer = "aw-watcher-window_old@f00d-peer"
        #expect(
            Set(summary.buckets.map(\.bucketID))
                == Set(["aw-watcher-window_old", "empty"] + (version == 7 ? [peer] : [])))
        #expect(summary.eventsInserted == (version == 7 ? 5 : 4) && summary.eventsSkipped == 0)
        #expect(summary.settingsImported == (version >= 4 || version == 0 ? 1 : 0))
        let bucket = try await store.bucket(id: "aw-watcher-window_old")
        #expect(bucket.created == (try Timestamp(rfc3339: "2024-01-02T03:04:05.123456789Z")))
        #expect(bucket.data == (version >= 2 || version == 0 ? ["device": "laptop"] : [:]))
        if version == 7 {
            // Another device's bucket of the same name: its own id, its own events, reported.
            #expect(summary.renamed.map(\.importedAs) == [peer])
            #expect(
                summary.renameLines == [
                    "bucket 'aw-watcher-window_old' of device 'f00d-peer' imported as '\(peer)' (buckets of other devices keep their device in the id)"
                ])
            #expect(try await store.bucket(id: peer).hostname == "desk")
            let peerEvents = try await store.events(bucketID: peer)
            #expect(peerEvents.map(\.timestamp.nanoseconds) == [Self.start])
            #expect(peerEvents.map(\.durationNanoseconds) == [3])
            #expect(peerEvents.map(\.data) == [["app": "peer ☂", "title": "x"]])
        } else {
            #expect(summary.renamed.isEmpty)
        }
        let events = try await store.events(bucketID: "aw-watcher-window_old").reversed().map { $0 }
        #expect(
            events.map(\.timestamp.nanoseconds) == [
                Self.start, Self.start + 5_000_000_000, Self.start + 6_000_000_000, Self.start + 8_000_000_000,
            ])
        #expect(events.map(\.durationNanoseconds) == [1_000_000_001, 0, 1_000_000_000, 1_000_000_000])
        #expect(events[0].data == ["app": "Ünïcode ✓", "title": "x"])
        #expect(events[2].data["big"]?.stringValue == Self.big)
        #expect(events[3].data.isEmpty)
        if version >= 4 { #expect(try await store.setting("startOfDay") == "04:00") }
        // Idempotent, and the source is never changed.
        let again = try await store.importLegacy(try LegacyDatabase(path: source))
        #expect(again.eventsInserted == 0 && again.eventsSkipped == (version == 7 ? 5 : 4))
        #expect(try Data(contentsOf: URL(fileURLWithPath: source)) == before)
    }

    @Test("imported settings replace a store's defaults, never a value the user chose", arguments: StoreKind.all)
    func settingsOverDefaults(kind: StoreKind) async throws {
        let folder = TemporaryDirectory()
        let source = folder.file("sqlite.db")
        try Self.makeRustDatabase(source, version: 5)
        try await DatabaseQueue(path: source).write { db in
            try db.execute(sql: "INSERT INTO key_value VALUES ('settings.classes', '[{\"name\":[\"Mine\"]}]', 1)")
        }
        let defaults: [String: JSON] = ["classes": [["name": ["Default"]]], "startOfDay": "00:00"]
        let fresh = try await kind.make()
        try await fresh.setSetting("classes", to: defaults["classes"]!)
        try await fresh.setSetting("startOfDay", to: "06:00")
        let summary = try await fresh.importLegacy(try LegacyDatabase(path: source), defaults: defaults)
        #expect(try await fresh.setting("classes") == [["name": ["Mine"]]])
        #expect(try await fresh.setting("startOfDay") == "06:00", "a value other than the default is the user's")
        #expect(summary.settingsImported == 1 && summary.settingsSkipped == 1)
    }

    @Test("a Python aw-server (peewee) database: text timestamps, durations in seconds", arguments: StoreKind.all)
    func python(kind: StoreKind) async throws {
        let folder = TemporaryDirectory()
        let source = folder.file("peewee-sqlite.v2.db")
        let database = try DatabaseQueue(path: source)
        try await database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE bucketmodel (key INTEGER PRIMARY KEY, id VARCHAR(255) NOT NULL UNIQUE, created DATETIME NOT NULL,
                        name VARCHAR(255), type VARCHAR(255) NOT NULL, client VARCHAR(255) NOT NULL, hostname VARCHAR(255) NOT NULL,
                        datastr VARCHAR(255));
                    CREATE TABLE eventmodel (id INTEGER PRIMARY KEY, bucket_id INTEGER NOT NULL, timestamp DATETIME NOT NULL,
                        duration DECIMAL(10, 5) NOT NULL, datastr VARCHAR(255) NOT NULL);
                    INSERT INTO bucketmodel VALUES (3, 'aw-watcher-afk_py', '2023-05-06 07:08:09.123456', NULL, 'afkstatus',
                        'aw-watcher-afk', 'py', '{"x": 1}');
                    INSERT INTO eventmodel VALUES (1, 3, '2023-05-06 07:08:10.250000+00:00', 12.5, '{"status": "not-afk"}'),
                        (2, 3, '2023-05-06 09:08:10+02:00', 0, '{"status": "afk"}');
                    """)
        }
        let store = try await kind.make()
        let summary = try await store.importLegacy(try LegacyDatabase(path: source))
        #expect(summary.eventsInserted == 2)
        let bucket = try await store.bucket(id: "aw-watcher-afk_py")
        #expect(bucket.type == "afkstatus" && bucket.data == ["x": 1])
        #expect(bucket.created == (try Timestamp(rfc3339: "2023-05-06T07:08:09.123456Z")))
        let events = try await store.events(bucketID: "aw-watcher-afk_py")
        #expect(
            events.map(\.timestamp)
                == [try Timestamp(rfc3339: "2023-05-06T07:08:10.25Z"), try Timestamp(rfc3339: "2023-05-06T07:08:10Z")]
                .sorted(by: >))
        #expect(Set(events.map(\.durationSeconds)) == [12.5, 0])
    }

    @Test("merging into an existing bucket adds only the missing events", arguments: StoreKind.all)
    func merge(kind: StoreKind) async throws {
        let folder = TemporaryDirectory()
        let source = folder.file("sqlite.db")
        try Self.makeRustDatabase(source, version: 5)
        let store = try await kind.make()
        try await store.createBucket(
            Bucket(id: "aw-watcher-window_old", type: "currentwindow", client: "aw-watcher-window", hostname: "old"))
        _ = try await store.insertEvents(
            [
                Event(
                    timestamp: Timestamp(nanoseconds: Self.start), durationNanoseconds: 1_000_000_001,
                    data: ["app": "Ünïcode ✓", "title": "x"]),
                Event(timestamp: Timestamp(nanoseconds: 1), data: ["mine": true]),
            ],
            bucketID: "aw-watcher-window_old")
        // Batches of two: the bucket's four events come in two.
        let summary = try await store.importLegacy(try LegacyDatabase(path: source), batchSize: 2)
        #expect(summary.buckets.first?.created == false)
        #expect(summary.buckets.first?.inserted == 3 && summary.buckets.first?.skipped == 1)
        #expect(try await store.events(bucketID: "aw-watcher-window_old").count == 5)
    }

    @Test("bad input: a clear error naming the file, nothing of the bad bucket imported", arguments: StoreKind.all)
    func badInput(kind: StoreKind) async throws {
        let folder = TemporaryDirectory()
        func error(_ path: String) -> String {
            do {
                _ = try LegacyDatabase(path: path)
                return "opened"
            } catch {
                return "\(error)"
            }
        }
        #expect(error(folder.file("missing.db")) == "\(folder.file("missing.db")): no such file")
        try Data("not a database at all, just text that is long enough".utf8).write(
            to: URL(fileURLWithPath: folder.file("text.db")))
        #expect(error(folder.file("text.db")).contains("not an SQLite database"))
        let foreign = try DatabaseQueue(path: folder.file("foreign.db"))
        try await foreign.write { try $0.execute(sql: "CREATE TABLE photos (id INTEGER)") }
        #expect(error(folder.file("foreign.db")).contains("not an ActivityWatch database"))
        // A later version with the same tables and columns is read; other columns are refused,
        // naming what was found.
        try Self.makeRustDatabase(folder.file("future.db"), version: 5)
        try await DatabaseQueue(path: folder.file("future.db")).write { try $0.execute(sql: "PRAGMA user_version = 9") }
        #expect(try LegacyDatabase(path: folder.file("future.db")).kind == .rust(version: 9))
        let renamed = try DatabaseQueue(path: folder.file("renamed.db"))
        try await renamed.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE buckets (id INTEGER PRIMARY KEY, name TEXT, type TEXT, client TEXT, hostname TEXT, created TEXT);
                    CREATE TABLE events (id INTEGER PRIMARY KEY, bucket INTEGER, start INTEGER, stop INTEGER, data TEXT);
                    PRAGMA user_version = 12;
                    """)
        }
        #expect(
            error(folder.file("renamed.db"))
                == "\(folder.file("renamed.db")): has tables 'buckets' and 'events' (schema version 12) but not the columns of aw-server-rust: buckets has (client, created, hostname, id, name, type), events has (bucket, data, id, start, stop); needed are buckets (client, created, hostname, id, name, type) and events (bucketrow, data, endtime, id, starttime)"
        )

        // An event whose data is not an object: its bucket is rolled back, the error names it.
        try Self.makeRustDatabase(folder.file("broken.db"), version: 5)
        try await DatabaseQueue(path: folder.file("broken.db")).write { db in
            try db.execute(sql: "INSERT INTO events (bucketrow, starttime, endtime, data) VALUES (7, 1, 2, '[1, 2]')")
        }
        let store = try await kind.make()
        await #expect {
            _ = try await store.importLegacy(try LegacyDatabase(path: folder.file("broken.db")))
        } throws: { error in
            "\(error)".contains("event 5 of bucket 'aw-watcher-window_old' has data that is not a JSON object")
        }
        await #expect(throws: DatastoreError.bucketNotFound(id: "aw-watcher-window_old")) {
            try await store.bucket(id: "aw-watcher-window_old")
        }
    }
}
