import AWCore
import AWTestSupport
import Foundation
import Testing

@testable import AWDatastore

/// `insertEvents(bucketID:decoding:)`: the bulk path of `POST …/events`, where the writer stores
/// the first events while the request body is still being read.
@Suite("Datastore: storing events while their body is read")
struct DatastoreStreamingInsertTests {
    /// A request body: the events as one JSON array.
    func body(_ events: [Event]) -> [UInt8] {
        events.map(EncodedEvent.init).jsonArray
    }

    /// Stores `body` as the server does.
    func store(_ body: [UInt8], in store: Datastore, bucketID: String = "bucket-1") async throws(DatastoreError)
        -> Result<[EncodedEvent], EventDecodingError>
    {
        try await store.insertEvents(bucketID: bucketID) { feed throws(EventDecodingError) in try feed.decode(body) }
    }

    @Test(
        "1,000 events in batches, a third of them edits, are stored in order with their ids, also after reopening"
    )
    func manyBatches() async throws {
        let (store, folder) = try Fixture.fileStore()
        try await store.createBucket(Fixture.bucket())
        let first = try await store.insertEvents(
            (0..<300).map { Fixture.event(Double($0), 1, ["old": .int(Int64($0))]) }, bucketID: "bucket-1")
        let edits = first.map { Fixture.event($0.timestamp.secondsSince1970, 2, ["edited": "yes"], id: $0.id) }
        let new = (0..<700).map { Fixture.event(1000 + Double($0), 1, ["new": .int(Int64($0))]) }
        // Edits spread over every batch, among new events.
        let posted = zip(new.prefix(300), edits).flatMap { [$0, $1] } + new.dropFirst(300)
        let stored = try await self.store(body(posted), in: store).get()
        #expect(stored.count == 1000)
        #expect(stored.map(\.timestamp) == posted.map(\.timestamp))
        for (post, event) in zip(posted, stored) where post.id != nil { #expect(event.id == post.id) }
        #expect(Set(stored.compactMap(\.id)).count == 1000)
        func check(_ store: Datastore) async throws {
            let events = try await store.events(bucketID: "bucket-1")
            #expect(events.count == 1000)
            #expect(events.filter { $0.data == ["edited": "yes"] }.count == 300)
            #expect(events.filter { $0.data["new"] != nil }.count == 700)
        }
        try await check(store)
        try store.close()
        try await check(try Datastore(path: folder.file("sqlite.db")))
    }

    @Test("a fault in the 900th event stores nothing, though earlier batches reached the writer")
    func faultLate() async throws {
        let store = try Datastore.inMemory()
        try await store.createBucket(Fixture.bucket())
        var text = String(decoding: body((0..<1000).map { Fixture.event(Double($0), 1) }), as: UTF8.self)
        let nth = text.ranges(of: #""timestamp":"#)[900]
        text.replaceSubrange(nth, with: #""timestamp":7,"was":"#)
        let outcome = try await self.store(Array(text.utf8), in: store)
        guard case .failure(.shape(let fault)) = outcome else {
            Issue.record("expected a shape fault, got \(outcome)")
            return
        }
        #expect(fault.field == "[900].timestamp")
        #expect(try await store.eventCount(bucketID: "bucket-1") == 0)
        // The writer is free again, and the next body is stored whole.
        let next = try await self.store(body([Fixture.event(5, 1)]), in: store).get()
        #expect(next.count == 1)
        #expect(try await store.eventCount(bucketID: "bucket-1") == 1)
    }

    @Test("a body that is not events is reported before a missing bucket; good events to a missing bucket are not")
    func faultsBeforeMissingBuckets() async throws {
        let store = try Datastore.inMemory()
        let broken = try await self.store(
            Array(#"[{"timestamp":"2024-01-01T00:00:00Z"},"#.utf8), in: store, bucketID: "nope")
        guard case .failure(.syntax) = broken else {
            Issue.record("expected a syntax fault, got \(broken)")
            return
        }
        await #expect(throws: DatastoreError.bucketNotFound(id: "nope")) {
            _ = try await self.store(self.body([Fixture.event(0, 1)]), in: store, bucketID: "nope")
        }
    }

    @Test("an id given to a new event earlier in the same body does not make a later event an edit")
    func idsGivenOutInTheSameBody() async throws {
        let store = try Datastore.inMemory()
        try await store.createBucket(Fixture.bucket())
        let existing = try #require(try await store.insertEvents([Fixture.event(0, 1)], bucketID: "bucket-1")[0].id)
        // The first batch's first event gets the next id; the second batch names that id.
        let batch = EventFeed.batchSize
        var posted = (1...batch).map { Fixture.event(Double($0), 1, ["batch": 1]) }
        posted.append(Fixture.event(100, 1, ["batch": 2], id: existing + 1))
        posted.append(Fixture.event(101, 1, ["edited": "yes"], id: existing))
        let stored = try await self.store(body(posted), in: store).get()
        #expect(stored[0].id == existing + 1)
        #expect(stored[batch].id != existing + 1)
        #expect(stored[batch + 1].id == existing)
        let events = try await store.events(bucketID: "bucket-1")
        #expect(events.count == batch + 2)
        #expect(events.first { $0.id == existing + 1 }?.data == ["batch": 1])
        #expect(events.first { $0.id == existing }?.data == ["edited": "yes"])
    }
}
