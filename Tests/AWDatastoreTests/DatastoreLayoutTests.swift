import AWCore
import AWTestSupport
import Foundation
import GRDB
import Logging
import Testing

@testable import AWDatastore

@Suite("Datastore: how events are laid out on disk")
struct DatastoreLayoutTests {
    /// The events table of the first versions: newest first, the data text in the row.
    static let newestFirstTable = """
        CREATE TABLE events (
            bucketrow INTEGER NOT NULL REFERENCES buckets(id),
            starttime INTEGER NOT NULL,
            endtime INTEGER NOT NULL,
            id INTEGER NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (bucketrow, starttime DESC, endtime, id)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX events_id ON events (id);
        """

    /// The data text of the event written `index`-th by `earlierVersionDatabase`.
    static func data(_ index: Int) -> String { #"{"app":"a","title":"t\#(index % 50)"}"# }

    /// A database file as an earlier version left it (the text of each event's data in its row;
    /// events newest first when `newestFirst`, else oldest first), with two buckets filled as a
    /// watcher fills them: one event every 10 s, every tenth in "afk", 50 distinct data texts.
    static func earlierVersionDatabase(in folder: TemporaryDirectory, events: Int, newestFirst: Bool) throws -> String {
        let path = folder.file("sqlite.db")
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v1: buckets, events, key_value")
        try queue.write { db in
            for name in ["window", "afk"] {
                try db.execute(
                    sql:
                        "INSERT INTO buckets (name, type, client, hostname, created) VALUES (?, 'currentwindow', 'tests', 'host', ?)",
                    arguments: [name, Fixture.base.rfc3339])
            }
            if newestFirst {
                try db.execute(sql: "DROP TABLE events")
                try db.execute(sql: newestFirstTable)
            }
            for index in 0..<events {
                let start = Fixture.at(Double(10 * index)).nanoseconds
                try db.execute(
                    sql: """
                        INSERT INTO events (bucketrow, starttime, endtime, id, data)
                        VALUES ((SELECT id FROM buckets WHERE name = ?), ?, ?, ?, ?)
                        """,
                    arguments: [
                        index % 10 == 9 ? "afk" : "window", start, start + 5 * Fixture.second, index + 1, data(index),
                    ])
            }
        }
        try queue.close()
        return path
    }

    /// The events `earlierVersionDatabase` wrote into `bucket`, newest first.
    static func writtenEvents(_ count: Int, bucket: String) -> [Event] {
        (0..<count).reversed().filter { ($0 % 10 == 9) == (bucket == "afk") }.map { index in
            Event(
                id: Int64(index + 1), timestamp: Fixture.at(Double(10 * index)),
                durationNanoseconds: 5 * Fixture.second, data: try! JSON.parse(data(index)).objectValue!)
        }
    }

    static func pageCount(_ path: String) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
    }

    static func tableDefinition(_ store: Datastore) async throws -> String {
        try await store.writer.read { db in
            try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'") ?? ""
        }
    }

    @Test("a new database keeps events oldest first, naming their data by id, so a bucket's new events are appended")
    func newDatabase() async throws {
        let (store, _) = try Fixture.fileStore()
        let definition = try await Self.tableDefinition(store)
        #expect(definition.contains("PRIMARY KEY (bucketrow, starttime ASC, endtime DESC, id DESC)"))
        #expect(definition.contains("data_id INTEGER NOT NULL") && !definition.contains("data TEXT"))
    }

    @Test(
        "a database of an earlier version is converted once at start: the same events and ids, each text once, a smaller file",
        arguments: [true, false])
    func conversion(newestFirst: Bool) async throws {
        let folder = TemporaryDirectory()
        let count = 20_000
        let path = try Self.earlierVersionDatabase(in: folder, events: count, newestFirst: newestFirst)
        let pagesBefore = try Self.pageCount(path)

        let store = try Datastore(path: path)
        #expect(!store.isNew)
        #expect(try await Self.tableDefinition(store).contains("starttime ASC"))
        let pagesAfter = try Self.pageCount(path)
        #expect(pagesAfter < pagesBefore * 3 / 4, "\(pagesBefore) pages became \(pagesAfter)")
        #expect(try await store.events(bucketID: "window") == Self.writtenEvents(count, bucket: "window"))
        #expect(try await store.events(bucketID: "afk") == Self.writtenEvents(count, bucket: "afk"))
        #expect(try await store.events(bucketID: "window", start: Fixture.at(100), end: Fixture.at(200)).count == 10)
        #expect(try await store.eventCount(bucketID: "window") == count * 9 / 10)
        let texts = try await store.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event_data") }
        #expect(texts == 50)
        try await EventDataTests.expectUsesMatch(store)

        let added = try await store.insertEvents([Fixture.event(1_000_000, 1)], bucketID: "window")
        #expect(added[0].id! > Int64(count))
        try store.close()
        // Opened again, nothing is converted twice.
        let reopened = try Datastore(path: path)
        #expect(try await reopened.eventCount(bucketID: "window") == count * 9 / 10 + 1)
        try await EventDataTests.expectUsesMatch(reopened)
    }

    @Test("a database whose texts carry their own use counts has the counts moved to a table of their own at start")
    func useCountsMoved() async throws {
        let folder = TemporaryDirectory()
        let count = 2_000
        let path = try Self.earlierVersionDatabase(in: folder, events: count, newestFirst: false)
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: Schema.eventDataMigration)
        try queue.close()

        let store = try Datastore(path: path)
        #expect(!store.isNew)
        let columns = try await store.writer.read { db in try db.columns(in: "event_data").map(\.name) }
        #expect(columns == ["id", "text"])
        #expect(try await store.events(bucketID: "window") == Self.writtenEvents(count, bucket: "window"))
        try await EventDataTests.expectUsesMatch(store)
        // The counts keep working: deleting the afk bucket deletes the texts only it used.
        try await store.deleteBucket(id: "afk")
        try await EventDataTests.expectUsesMatch(store)
        #expect(try await EventDataTests.storedTexts(store).count == 45)
    }
}
