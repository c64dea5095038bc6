import AWCore
import AWStoreTestSupport
import AWTestSupport
import Foundation
import GRDB
import Testing

@testable import AWDatastore

@Suite("Datastore: events")
struct DatastoreEventTests {
    func store(with events: [Event]) async throws -> Datastore {
        let store = try Datastore.inMemory()
        try await store.createBucket(Fixture.bucket())
        _ = try await store.insertEvents(events, bucketID: "bucket-1")
        return store
    }

    @Test("inserted events get ids and come back newest first; ties shorter first, then by insertion")
    func ordering() async throws {
        let store = try await store(with: [
            Fixture.event(10, 5, ["n": 1]), Fixture.event(30, 1, ["n": 2]), Fixture.event(10, 1, ["n": 3]),
            Fixture.event(20, 0, ["n": 4]), Fixture.event(10, 1, ["n": 5]),
        ])
        let events = try await store.events(bucketID: "bucket-1")
        #expect(events.map { $0.data["n"] } == [2, 4, 3, 5, 1])
        #expect(Set(events.compactMap(\.id)).count == 5)
        #expect(try await store.eventCount(bucketID: "bucket-1") == 5)
    }

    @Test("range reads include events touching either bound and clip them to the range")
    func rangeAndClipping() async throws {
        let store = try await store(with: [
            Fixture.event(0, 10, ["n": 1]),  // ends exactly at start
            Fixture.event(5, 10, ["n": 2]),  // overlaps start
            Fixture.event(12, 2, ["n": 3]),  // inside
            Fixture.event(18, 10, ["n": 4]),  // overlaps end
            Fixture.event(20, 5, ["n": 5]),  // starts exactly at end
            Fixture.event(21, 1, ["n": 6]),  // after
        ])
        let events = try await store.events(bucketID: "bucket-1", start: Fixture.at(10), end: Fixture.at(20))
        #expect(events.map { $0.data["n"] } == [5, 4, 3, 2, 1])
        #expect(
            events.map(\.timestamp) == [Fixture.at(20), Fixture.at(18), Fixture.at(12), Fixture.at(10), Fixture.at(10)])
        #expect(events.map(\.durationNanoseconds) == [0, 2, 2, 5, 0].map { $0 * Fixture.second })
        #expect(try await store.eventCount(bucketID: "bucket-1", start: Fixture.at(10), end: Fixture.at(20)) == 5)
        #expect(
            try await store.events(bucketID: "bucket-1", start: Fixture.at(10), end: Fixture.at(20), limit: 2).count
                == 2)
        #expect(try await store.events(bucketID: "bucket-1", limit: 0).isEmpty)
        #expect(try await store.events(bucketID: "bucket-1", start: Fixture.at(20), end: Fixture.at(10)).isEmpty)
        var json: [UInt8] = []
        for try await chunk in try store.eventsJSON(
            bucketID: "bucket-1", start: Fixture.at(10), end: Fixture.at(20), limit: 1)
        {
            json += chunk
        }
        let parsed = try Event.array(json: JSON.parse(json))
        #expect(parsed == [events[0]])
    }

    @Test("a long event is found by a range that only overlaps its end, also after reopening")
    func longEvents() async throws {
        let (store, folder) = try Fixture.fileStore()
        try await store.createBucket(Fixture.bucket())
        var events = (0..<200).map { Fixture.event(Double(100_000 + $0 * 10), 5, ["n": .int(Int64($0))]) }
        events.append(Fixture.event(0, 200_000, ["long": true]))
        _ = try await store.insertEvents(events, bucketID: "bucket-1")
        let found = try await store.events(bucketID: "bucket-1", start: Fixture.at(150_000), end: Fixture.at(150_001))
        #expect(found.map(\.data) == [["long": true]])
        try store.close()
        let reopened = try Datastore(path: folder.file("sqlite.db"))
        let again = try await reopened.events(
            bucketID: "bucket-1", start: Fixture.at(150_000), end: Fixture.at(150_001))
        #expect(again.map(\.data) == [["long": true]])
    }

    @Test("an event posted with its own id replaces it; another bucket's id is never overwritten")
    func replaceByID() async throws {
        let store = try await store(with: [Fixture.event(0, 1, ["v": 1])])
        try await store.createBucket(Fixture.bucket("other"))
        let foreign = try await store.insertEvents([Fixture.event(0, 1, ["v": "foreign"])], bucketID: "other")
        let original = try await store.events(bucketID: "bucket-1")[0]
        var edited = original
        edited.data = ["v": 2]
        let stored = try await store.insertEvents([edited], bucketID: "bucket-1")
        #expect(stored[0].id == original.id)
        #expect(try await store.events(bucketID: "bucket-1").map(\.data) == [["v": 2]])
        var hijack = Fixture.event(5, 1, ["v": "hijack"])
        hijack.id = foreign[0].id
        let hijacked = try await store.insertEvents([hijack], bucketID: "bucket-1")
        #expect(hijacked[0].id != foreign[0].id)
        #expect(try await store.events(bucketID: "other").map(\.data) == [["v": "foreign"]])
    }

    @Test(
        "posts of 1 to 100 events, a third of them edits of stored events, store each new event once and replace each edited one, also after reopening"
    )
    func postsOfEveryLength() async throws {
        let (store, folder) = try Fixture.fileStore()
        try await store.createBucket(Fixture.bucket())
        var expected: [Int64: [String: JSON]] = [:]
        var second = 0.0
        // Around the rows one INSERT statement carries (EventRowWriter.rowsPerStatement).
        for count in [1, 2, 31, 32, 33, 63, 64, 65, 100] {
            let edited = expected.keys.sorted().prefix(count / 3)
            var post = edited.enumerated().map { index, id in
                Fixture.event(
                    second + Double(index), 1, ["post": .int(Int64(count)), "edit": .int(Int64(index))], id: id)
            }
            post += (post.count..<count).map { index in
                Fixture.event(second + Double(index), 1, ["post": .int(Int64(count)), "new": .int(Int64(index))])
            }
            second += Double(count)
            let stored = try await store.insertEvents(post, bucketID: "bucket-1")
            #expect(Array(stored.prefix(edited.count).map(\.id)) == edited.map { Optional($0) })
            for event in stored { expected[try #require(event.id)] = event.data }
        }
        func check(_ store: Datastore) async throws {
            let events = try await store.events(bucketID: "bucket-1")
            #expect(events.count == expected.count)
            let read = Dictionary(events.map { ($0.id!, $0.data) }, uniquingKeysWith: { first, _ in first })
            let wrong = expected.filter { read[$0.key] != $0.value }.keys.sorted()
            #expect(wrong.isEmpty, "\(wrong.count) events not as last posted, ids \(wrong.prefix(8))")
        }
        try await check(store)
        try store.close()
        try await check(try Datastore(path: folder.file("sqlite.db")))
    }

    @Test("single events are fetched and deleted; missing ones are reported")
    func singleEvents() async throws {
        let store = try await store(with: [Fixture.event(0, 1)])
        let id = try #require(try await store.events(bucketID: "bucket-1")[0].id)
        #expect(try await store.event(id: id, bucketID: "bucket-1").timestamp == Fixture.at(0))
        await #expect(throws: DatastoreError.eventNotFound(bucketID: "bucket-1", eventID: id + 100)) {
            try await store.event(id: id + 100, bucketID: "bucket-1")
        }
        try await store.deleteEvent(id: id, bucketID: "bucket-1")
        await #expect(throws: DatastoreError.eventNotFound(bucketID: "bucket-1", eventID: id)) {
            try await store.deleteEvent(id: id, bucketID: "bucket-1")
        }
        #expect(try await store.eventCount(bucketID: "bucket-1") == 0)
    }

    @Test("a read of thousands of events with hundreds of distinct data gives every event its own data")
    func manyDistinctData() async throws {
        let events = (0..<3000).map { index in
            Fixture.event(
                Double(index), 1, ["app": .string("app\(index % 7)"), "title": .string("title \(index % 1000)")])
        }
        let store = try await store(with: events)
        for _ in 0..<2 {
            let read = try await store.events(bucketID: "bucket-1")
            #expect(read.count == 3000)
            #expect(read.reversed().map(\.data) == events.map(\.data))
        }
    }

    @Test("range reads scan the table in bucket/start order, without sorting")
    func queryPlan() async throws {
        let store = try await store(with: [Fixture.event(0, 1)])
        let range = try store.rangeQuery(bucketID: "bucket-1", start: Fixture.at(0), end: Fixture.at(10), limit: nil)
        let text = try await store.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + range.sql, arguments: range.arguments).map {
                $0["detail"] as String
            }
        }
        #expect(
            text.contains {
                $0.contains("SEARCH events USING PRIMARY KEY (bucketrow=? AND starttime>? AND starttime<?)")
            })
        #expect(!text.contains { $0.contains("TEMP B-TREE") })
    }

    @Test("pages of a bucket's events in id order follow the id index, without sorting the bucket for each page")
    func pagePlan() async throws {
        let store = try await store(with: (0..<50).map { Fixture.event(Double($0), 1) })
        let page = try await store.eventPage(bucketID: "bucket-1", afterID: nil, limit: 10)
        #expect(page.map(\.timestamp) == (0..<10).map { Fixture.at(Double($0)) })
        let statements = try await store.writer.read { db in
            try Row.fetchAll(
                db, sql: "EXPLAIN QUERY PLAN " + Datastore.eventPageSQL, arguments: [1, 0, 10]
            ).map { $0["detail"] as String }
        }
        #expect(statements.contains { $0.contains("USING INDEX events_id") }, "\(statements)")
        #expect(!statements.contains { $0.contains("TEMP B-TREE") }, "\(statements)")
    }
}

@Suite("Datastore: event ids")
struct DatastoreEventIDTests {
    @Test("ids are never reused, even after the newest event is deleted and the file reopened")
    func noReuse() async throws {
        let (store, folder) = try Fixture.fileStore()
        try await store.createBucket(Fixture.bucket())
        let first = try await store.insertEvents([Fixture.event(0, 1), Fixture.event(1, 1)], bucketID: "bucket-1")
        let beat = try await store.heartbeat(Fixture.event(5, 0, ["x": 1]), bucketID: "bucket-1", pulsetime: 1)
        try await store.deleteEvent(id: beat.id!, bucketID: "bucket-1")
        try await store.deleteEvent(id: first[1].id!, bucketID: "bucket-1")
        try store.close()
        let reopened = try Datastore(path: folder.file("sqlite.db"))
        let next = try await reopened.insertEvents([Fixture.event(9, 1)], bucketID: "bucket-1")
        #expect(next[0].id! > beat.id!)
        #expect(try await reopened.settings().isEmpty)
    }
}

@Suite("Datastore: streamed JSON")
struct DatastoreStreamTests {
    @Test("a large read arrives in several chunks that join into the same events", arguments: StoreKind.all)
    func chunks(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.createBucket(Fixture.bucket())
        let events = (0..<20_000).map {
            Fixture.event(Double($0), 1, ["app": "a", "title": .string("title \($0 % 37)")])
        }
        _ = try await store.insertEvents(events, bucketID: "bucket-1")
        var chunkCount = 0
        var json: [UInt8] = []
        for try await chunk in try await store.eventsJSON(bucketID: "bucket-1") {
            chunkCount += 1
            json += chunk
        }
        #expect(chunkCount > 2)
        let parsed = try Event.array(json: JSON.parse(json))
        #expect(parsed.count == 20_000)
        #expect(parsed == (try await store.events(bucketID: "bucket-1")))
    }

    @Test(
        "a streamed read of 50,000 events, many starting together, gives each event once, in order",
        arguments: StoreKind.all)
    func streamedTies(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.createBucket(Fixture.bucket())
        // Three events start at each second (two of equal length), so pages end inside ties.
        let events = (0..<16_667).flatMap { second in
            [1, 2, 2].map { Fixture.event(Double(second), Double($0), ["n": .int(Int64(second))]) }
        }
        _ = try await store.insertEvents(events, bucketID: "bucket-1")
        var json: [UInt8] = []
        for try await chunk in try await store.eventsJSON(bucketID: "bucket-1") { json += chunk }
        let streamed = try Event.array(json: JSON.parse(json))
        #expect(streamed.count == events.count)
        #expect(Set(streamed.compactMap(\.id)).count == events.count)
        #expect(streamed == (try await store.events(bucketID: "bucket-1")))
        var limited: [UInt8] = []
        for try await chunk in try await store.eventsJSON(bucketID: "bucket-1", start: nil, end: nil, limit: 45_001) {
            limited += chunk
        }
        #expect(try Event.array(json: JSON.parse(limited)) == Array(streamed.prefix(45_001)))
    }

    @Test("consumers that stop early do not leave readers blocked", .timeLimit(.minutes(5)), arguments: StoreKind.all)
    func earlyStop(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.createBucket(Fixture.bucket())
        _ = try await store.insertEvents((0..<20_000).map { Fixture.event(Double($0), 1) }, bucketID: "bucket-1")
        for _ in 0..<12 {
            for try await _ in try await store.eventsJSON(bucketID: "bucket-1") { break }
        }
        #expect(try await store.eventCount(bucketID: "bucket-1") == 20_000)
    }

    @Test("the export document streams every bucket with its events", arguments: StoreKind.all)
    func export(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.createBucket(Fixture.bucket("a"))
        try await store.createBucket(Fixture.bucket("b"))
        _ = try await store.insertEvents([Fixture.event(0, 1, ["x": 1])], bucketID: "a")
        var json: [UInt8] = []
        for try await chunk in try await store.exportJSON() { json += chunk }
        let document = try JSON.parse(json)
        #expect(document["buckets"]?.objectValue?.keys.sorted() == ["a", "b"])
        #expect(document["buckets"]?["a"]?["events"]?.arrayValue?.count == 1)
        #expect(document["buckets"]?["b"]?["events"] == [])
        await #expect(throws: DatastoreError.bucketNotFound(id: "c")) { try await store.exportJSON(bucketIDs: ["c"]) }
    }
}
