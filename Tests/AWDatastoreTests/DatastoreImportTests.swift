import AWCore
import AWStoreTestSupport
import Testing

@testable import AWDatastore

@Suite("Datastore: import")
struct DatastoreImportTests {
    let events = [
        Fixture.event(0, 1, ["n": 1], id: 900), Fixture.event(5, 2, ["n": 2], id: 901), Fixture.event(9, 0, ["n": 3]),
    ]

    @Test("importing creates the bucket; importing again adds nothing", arguments: StoreKind.all)
    func idempotent(kind: StoreKind) async throws {
        let store = try await kind.make()
        let first = try await store.importBucket(Fixture.bucket(), events: events)
        #expect(first == BucketImportResult(bucketID: "bucket-1", created: true, inserted: 3, skipped: 0))
        let second = try await store.importBucket(Fixture.bucket(), events: events)
        #expect(second == BucketImportResult(bucketID: "bucket-1", created: false, inserted: 0, skipped: 3))
        let stored = try await store.events(bucketID: "bucket-1")
        #expect(stored.count == 3)
        #expect(
            try await store.bucket(id: "bucket-1").metadata == BucketMetadata(start: Fixture.at(0), end: Fixture.at(9)))
    }

    @Test(
        "importing into an existing bucket merges: new events are added, known ones skipped", arguments: StoreKind.all)
    func mergesIntoExisting(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.createBucket(Fixture.bucket())
        _ = try await store.insertEvents([events[0]], bucketID: "bucket-1")
        _ = try await store.heartbeat(Fixture.event(20, 0, ["hb": true]), bucketID: "bucket-1", pulsetime: 1)
        let result = try await store.importBucket(
            Fixture.bucket(), events: events + [Fixture.event(20, 0, ["hb": true])])
        #expect(result.inserted == 2)
        #expect(result.skipped == 2)
        #expect(try await store.eventCount(bucketID: "bucket-1") == 4)
    }

    @Test("imported ids are ignored, so other buckets' events are never overwritten", arguments: StoreKind.all)
    func idsNotTrusted(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.createBucket(Fixture.bucket("victim"))
        let victim = try await store.insertEvents([Fixture.event(0, 1, ["keep": true])], bucketID: "victim")
        let result = try await store.importBucket(
            Fixture.bucket(), events: [Fixture.event(1, 1, ["x": 1], id: victim[0].id)])
        #expect(result.inserted == 1)
        #expect(try await store.events(bucketID: "victim").map(\.data) == [["keep": true]])
    }
}
