import AWCore
import AWTestSupport
import GRDB
import Testing

@testable import AWDatastore

@Suite("Datastore: each distinct data text stored once, with its number of uses")
struct EventDataTests {
    /// Expects every text's use count to be the number of events naming it, no text that
    /// nothing uses, and no count without its text.
    static func expectUsesMatch(_ store: Datastore, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await store.flush()
        try await store.storeHeldUses()
        let (uses, references) = try await store.writer.read { db in
            (
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT event_data.id, uses FROM event_data LEFT JOIN event_data_uses USING (id)
                        UNION SELECT id, -1 FROM event_data_uses WHERE id NOT IN (SELECT id FROM event_data)
                        ORDER BY 1
                        """
                ).map { [$0[0], $0[1]] as [Int64?] },
                try Row.fetchAll(db, sql: "SELECT data_id, COUNT(*) FROM events GROUP BY data_id ORDER BY data_id").map
                {
                    [$0[0], $0[1]] as [Int64?]
                }
            )
        }
        #expect(uses == references, sourceLocation: sourceLocation)
    }

    /// The stored texts, sorted.
    static func storedTexts(_ store: Datastore) async throws -> [String] {
        try await store.flush()
        return try await store.writer.read { db in
            try String.fetchAll(db, sql: "SELECT text FROM event_data ORDER BY text")
        }
    }

    @Test("a thousand events of three kinds store three texts, read back as they were written")
    func storedOnce() async throws {
        let (store, _) = try Fixture.fileStore()
        try await store.createBucket(Fixture.bucket())
        let apps: [JSON] = ["editor", "browser", "terminal"]
        let written = (0..<1000).map { Fixture.event(Double($0), 1, ["app": apps[$0 % 3], "title": "t"]) }
        _ = try await store.insertEvents(written, bucketID: "bucket-1")
        #expect(
            try await Self.storedTexts(store) == [
                #"{"app":"browser","title":"t"}"#, #"{"app":"editor","title":"t"}"#, #"{"app":"terminal","title":"t"}"#,
            ])
        try await Self.expectUsesMatch(store)
        let read = try await store.events(bucketID: "bucket-1")
        #expect(read.map(\.data) == written.reversed().map(\.data))
        #expect(try await store.event(id: read[0].id!, bucketID: "bucket-1").data == written[999].data)
        #expect(
            try await store.eventPage(bucketID: "bucket-1", afterID: nil, limit: 2).map(\.data)
                == written.prefix(2).map(\.data))
    }

    @Test("use counts follow inserts, edits, heartbeats, deletions and imports")
    func usesFollowEveryWrite() async throws {
        let (store, _) = try Fixture.fileStore()
        try await store.createBucket(Fixture.bucket())
        let stored = try await store.insertEvents(
            (0..<100).map { Fixture.event(Double($0), 1, ["app": .string("app\($0 % 7)")]) }, bucketID: "bucket-1")
        try await Self.expectUsesMatch(store)

        // An edit that changes an event's data, and one that keeps it.
        var edited = stored[3]
        edited.data = ["app": "edited"]
        var kept = stored[4]
        kept.durationNanoseconds = 3 * Fixture.second
        _ = try await store.insertEvents([edited, kept], bucketID: "bucket-1")
        #expect(try await store.event(id: edited.id!, bucketID: "bucket-1").data == ["app": "edited"])
        try await Self.expectUsesMatch(store)

        // Heartbeats that extend an event and that start new ones.
        for second in 200..<230 {
            _ = try await store.heartbeat(
                Fixture.event(Double(second), 0, ["app": .string("beat\(second / 10)")]), bucketID: "bucket-1",
                pulsetime: 2)
            if second % 7 == 0 { try await store.flush() }
        }
        try await Self.expectUsesMatch(store)

        try await store.deleteEvent(id: stored[10].id!, bucketID: "bucket-1")
        try await Self.expectUsesMatch(store)

        let result = try await store.importBucket(
            Fixture.bucket(),
            events: [Fixture.event(0, 1, ["app": "app0"]), Fixture.event(500, 1, ["app": "imported"])])
        #expect(result.inserted == 1 && result.skipped == 1)
        try await Self.expectUsesMatch(store)
        #expect(try await Self.storedTexts(store).contains(#"{"app":"imported"}"#))
    }

    @Test("a text goes with the last event that used it")
    func unusedTextsAreDeleted() async throws {
        let (store, _) = try Fixture.fileStore()
        try await store.createBucket(Fixture.bucket())
        let stored = try await store.insertEvents(
            [Fixture.event(0, 1, ["title": "bank statement"]), Fixture.event(1, 1, ["title": "news"])],
            bucketID: "bucket-1")
        try await store.deleteEvent(id: stored[0].id!, bucketID: "bucket-1")
        #expect(try await Self.storedTexts(store) == [#"{"title":"news"}"#])

        var edited = stored[1]
        edited.data = ["title": "weather"]
        _ = try await store.insertEvents([edited], bucketID: "bucket-1")
        #expect(try await Self.storedTexts(store) == [#"{"title":"weather"}"#])
        try await Self.expectUsesMatch(store)
    }

    @Test("deleting a bucket leaves none of its texts, and keeps those other buckets use")
    func deletedBucketsLeaveNoText() async throws {
        let (store, _) = try Fixture.fileStore()
        try await store.createBucket(Fixture.bucket("private"))
        try await store.createBucket(Fixture.bucket("work"))
        _ = try await store.insertEvents(
            (0..<50).map { Fixture.event(Double($0), 1, ["title": $0 % 2 == 0 ? "diary" : "shared"]) },
            bucketID: "private")
        _ = try await store.insertEvents(
            (0..<20).map { Fixture.event(Double($0), 1, ["title": "shared"]) }, bucketID: "work")
        _ = try await store.heartbeat(Fixture.event(100, 0, ["title": "unwritten"]), bucketID: "private", pulsetime: 2)
        try await store.deleteBucket(id: "private")
        #expect(try await Self.storedTexts(store) == [#"{"title":"shared"}"#])
        try await Self.expectUsesMatch(store)
        #expect(try await store.eventCount(bucketID: "work") == 20)
    }

    @Test("streamed reads and exports carry each event's own data")
    func streamedReads() async throws {
        let (store, _) = try Fixture.fileStore()
        try await store.createBucket(Fixture.bucket())
        _ = try await store.insertEvents(
            (0..<300).map { Fixture.event(Double($0), 1, ["n": .int(Int64($0 % 11))]) }, bucketID: "bucket-1")
        var body: [UInt8] = []
        for try await chunk in try await store.eventsJSON(bucketID: "bucket-1") { body += chunk }
        let events = try JSON.parse(body).arrayValue!
        #expect(events.count == 300)
        #expect(
            events.map { $0.objectValue!["data"]!.objectValue!["n"]! }
                == (0..<300).reversed().map { .int(Int64($0 % 11)) })
    }
}

@Suite("Datastore: the writer's memory of stored texts")
struct KnownDataIDTests {
    struct Refused: Error {}

    @Test("a text deleted and written again is stored again, and reads back")
    func deletedThenWrittenAgain() async throws {
        let (store, _) = try Fixture.fileStore()
        try await store.createBucket(Fixture.bucket())
        let first = try await store.insertEvents([Fixture.event(0, 1, ["title": "again"])], bucketID: "bucket-1")
        try await store.deleteEvent(id: first[0].id!, bucketID: "bucket-1")
        #expect(try await EventDataTests.storedTexts(store).isEmpty)
        _ = try await store.insertEvents([Fixture.event(5, 1, ["title": "again"])], bucketID: "bucket-1")
        #expect(try await store.events(bucketID: "bucket-1").map(\.data) == [["title": "again"]])
        try await EventDataTests.expectUsesMatch(store)

        try await store.deleteBucket(id: "bucket-1")
        try await store.createBucket(Fixture.bucket())
        _ = try await store.heartbeat(Fixture.event(9, 0, ["title": "again"]), bucketID: "bucket-1", pulsetime: 2)
        #expect(try await store.events(bucketID: "bucket-1").map(\.data) == [["title": "again"]])
        try await EventDataTests.expectUsesMatch(store)
    }

    @Test("a text added by a write that was rolled back is added again by the next")
    func rolledBack() async throws {
        let (store, _) = try Fixture.fileStore()
        await #expect(throws: (any Error).self) {
            _ = try await store.importBucket(Fixture.bucket("imported")) { deliver in
                try deliver([Fixture.event(0, 1, ["title": "rolled back"])])
                throw Refused()
            }
        }
        #expect(try await EventDataTests.storedTexts(store).isEmpty)
        try await store.createBucket(Fixture.bucket())
        _ = try await store.insertEvents([Fixture.event(0, 1, ["title": "rolled back"])], bucketID: "bucket-1")
        #expect(try await store.events(bucketID: "bucket-1").map(\.data) == [["title": "rolled back"]])
        try await EventDataTests.expectUsesMatch(store)
    }
}

@Suite("Datastore: uses of texts held by writes that only add some")
struct HeldUsesTests {
    /// Fifty texts, each named by two events, `start` seconds on.
    static func pairs(from start: Double = 0) -> [Event] {
        (0..<100).map { Fixture.event(start + Double($0), 1, ["title": .string("t\($0 % 50)")]) }
    }

    @Test(
        "a file left with uses held (the process ended before storing them) is counted again at start, and deleting an event keeps the texts other events name"
    )
    func countedAgainAfterACrash() async throws {
        let (store, folder) = try Fixture.fileStore()
        try await store.createBucket(Fixture.bucket())
        _ = try await store.insertEvents(Self.pairs(), bucketID: "bucket-1")
        // A copy of the file as it is now, committed writes only: as if the process ended here.
        let copy = folder.file("copy.db")
        let destination = try DatabaseQueue(path: copy)
        try store.writer.backup(to: destination)
        let (marked, counted) = try await destination.read { db in
            (
                try Bool.fetchOne(db, sql: "SELECT 1 FROM key_value WHERE key = ?", arguments: [Schema.heldUsesKey]),
                try Int.fetchOne(db, sql: "SELECT SUM(uses) FROM event_data_uses")
            )
        }
        try destination.close()
        #expect(marked == true && counted == 0)

        let reopened = try Datastore(path: copy)
        try await EventDataTests.expectUsesMatch(reopened)
        let stored = try await reopened.events(bucketID: "bucket-1")
        for event in stored.prefix(50) { try await reopened.deleteEvent(id: event.id!, bucketID: "bucket-1") }
        #expect(
            try await reopened.events(bucketID: "bucket-1").map(\.data)
                == Self.pairs().prefix(50).reversed().map(\.data))
        #expect(try await EventDataTests.storedTexts(reopened).count == 50)
        try await EventDataTests.expectUsesMatch(reopened)
    }

    @Test("uses held by a write that was rolled back are not counted")
    func rolledBack() async throws {
        let (store, _) = try Fixture.fileStore()
        try await store.createBucket(Fixture.bucket())
        _ = try await store.insertEvents(Self.pairs(), bucketID: "bucket-1")
        await #expect(throws: (any Error).self) {
            _ = try await store.importBucket(Fixture.bucket("imported")) { deliver in
                try deliver(Self.pairs(from: 1000))
                throw KnownDataIDTests.Refused()
            }
        }
        try await EventDataTests.expectUsesMatch(store)
    }

    @Test("a bucket deleted while uses are held leaves the texts another bucket names")
    func bucketDeletedWhileHeld() async throws {
        let (store, _) = try Fixture.fileStore()
        try await store.createBucket(Fixture.bucket())
        try await store.createBucket(Fixture.bucket("bucket-2"))
        _ = try await store.insertEvents(Self.pairs(), bucketID: "bucket-1")
        _ = try await store.insertEvents(Array(Self.pairs().prefix(50)), bucketID: "bucket-2")
        try await store.deleteBucket(id: "bucket-1")
        #expect(try await store.events(bucketID: "bucket-2").count == 50)
        #expect(try await EventDataTests.storedTexts(store).count == 50)
        try await EventDataTests.expectUsesMatch(store)
    }
}
