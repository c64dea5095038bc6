import AWCore
import AWTestSupport
import Foundation
import GRDB
import Logging
import Testing

@testable import AWDatastore

@Suite("Datastore: how events are laid out on disk")
struct DatastoreLayoutTests {
    /// The events table as the first versions created it: newest first.
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

    /// A database file with two buckets whose events table has the first layout, filled as a
    /// watcher fills it (one event after another, oldest first).
    static func newestFirstDatabase(in folder: TemporaryDirectory, events: Int) async throws -> String {
        let path = folder.file("sqlite.db")
        let store = try Datastore(path: path)
        try await store.createBucket(Fixture.bucket("window"))
        try await store.createBucket(Fixture.bucket("afk"))
        try store.close()
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "DROP TABLE events")
            try db.execute(sql: newestFirstTable)
            for index in 0..<events {
                let bucket = index % 10 == 9 ? "afk" : "window"
                let start = Fixture.at(Double(10 * index)).nanoseconds
                try db.execute(
                    sql: """
                        INSERT INTO events (bucketrow, starttime, endtime, id, data)
                        VALUES ((SELECT id FROM buckets WHERE name = ?), ?, ?, ?, ?)
                        """,
                    arguments: [
                        bucket, start, start + 5 * Fixture.second, index + 1, #"{"app":"a","title":"t\#(index % 50)"}"#,
                    ])
            }
        }
        try queue.close()
        return path
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

    @Test("a new database keeps events oldest first, so a bucket's new events are appended")
    func newDatabase() async throws {
        let (store, _) = try Fixture.fileStore()
        #expect(
            try await Self.tableDefinition(store).contains(
                "PRIMARY KEY (bucketrow, starttime ASC, endtime DESC, id DESC)"))
    }

    @Test("a database of the first layout is rewritten once at start: same events and ids, a smaller file")
    func rewrite() async throws {
        let folder = TemporaryDirectory()
        let path = try await Self.newestFirstDatabase(in: folder, events: 20_000)
        let pagesBefore = try Self.pageCount(path)
        let before = try Datastore(
            path: path, flushDelay: .milliseconds(50), logger: Logger(label: "test"), rewritingOldLayout: false)
        let windowBefore = try await before.events(bucketID: "window")
        let afkBefore = try await before.events(bucketID: "afk")
        try before.close()
        #expect(windowBefore.count == 18_000 && afkBefore.count == 2_000)

        let store = try Datastore(path: path)
        #expect(try await Self.tableDefinition(store).contains("starttime ASC"))
        let pagesAfter = try Self.pageCount(path)
        #expect(pagesAfter < pagesBefore * 3 / 4, "\(pagesBefore) pages became \(pagesAfter)")
        #expect(try await store.events(bucketID: "window") == windowBefore)
        #expect(try await store.events(bucketID: "afk") == afkBefore)
        #expect(try await store.events(bucketID: "window", start: Fixture.at(100), end: Fixture.at(200)).count == 10)
        let added = try await store.insertEvents([Fixture.event(1_000_000, 1)], bucketID: "window")
        #expect(added[0].id! > 20_000)
        #expect(
            Schema.storeEventsOldestFirst(store.writer, path: path, folder: folder.path, logger: Logger(label: "test"))
                == 0)
    }

    @Test("the events of a database of the first layout are read, counted and written as before it is rewritten")
    func oldLayoutStillServes() async throws {
        let folder = TemporaryDirectory()
        let path = try await Self.newestFirstDatabase(in: folder, events: 200)
        // Opened without the rewrite, as when the disk has no room for it.
        let store = try Datastore(
            path: path, flushDelay: .milliseconds(50), logger: Logger(label: "test"), rewritingOldLayout: false)
        #expect(try await Self.tableDefinition(store).contains("starttime DESC"))
        let recent = try await store.events(bucketID: "window", start: Fixture.at(1_000), limit: 3)
        #expect(recent.map(\.timestamp) == [Fixture.at(1_980), Fixture.at(1_970), Fixture.at(1_960)])
        #expect(try await store.eventCount(bucketID: "window", start: Fixture.at(1_000)) == 90)
        _ = try await store.insertEvents([Fixture.event(5_000, 1)], bucketID: "window")
        #expect(try await store.events(bucketID: "window", limit: 1).first?.timestamp == Fixture.at(5_000))
    }
}
