import AWCore
import AWStoreTestSupport
import AWTestSupport
import Foundation
import Testing

@testable import AWDatastore

@Suite("Datastore: heartbeats")
struct DatastoreHeartbeatTests {
    @Test("heartbeats with equal data merge into one event; changed data starts a new one", arguments: StoreKind.all)
    func mergeAndSplit(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.createBucket(Fixture.bucket())
        let first = try await store.heartbeat(Fixture.event(0), bucketID: "bucket-1", pulsetime: 2)
        for second in 1...5 {
            let merged = try await store.heartbeat(Fixture.event(Double(second)), bucketID: "bucket-1", pulsetime: 2)
            #expect(merged.id == first.id)
            #expect(merged.durationNanoseconds == Int64(second) * Fixture.second)
        }
        let other = try await store.heartbeat(Fixture.event(6, 0, ["app": "b"]), bucketID: "bucket-1", pulsetime: 2)
        #expect(other.id != first.id)
        let late = try await store.heartbeat(Fixture.event(20, 0, ["app": "b"]), bucketID: "bucket-1", pulsetime: 2)
        #expect(late.id != other.id)
        let events = try await store.events(bucketID: "bucket-1")
        #expect(events.map(\.durationNanoseconds) == [0, 0, 5 * Fixture.second])
        #expect(events.map { $0.data["app"] } == ["b", "b", "a"])
    }

    @Test(
        "the cache follows inserted events: a heartbeat merges with an event inserted after it",
        arguments: StoreKind.all)
    func cacheAfterInsert(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.createBucket(Fixture.bucket())
        _ = try await store.heartbeat(Fixture.event(0), bucketID: "bucket-1", pulsetime: 5)
        let inserted = try await store.insertEvents([Fixture.event(10, 1, ["app": "x"])], bucketID: "bucket-1")
        let merged = try await store.heartbeat(Fixture.event(12, 0, ["app": "x"]), bucketID: "bucket-1", pulsetime: 5)
        #expect(merged.id == inserted[0].id)
        #expect(merged.durationNanoseconds == 2 * Fixture.second)
    }

    @Test("deleting the last event: the next heartbeat does not resurrect or merge into it", arguments: StoreKind.all)
    func cacheAfterDeletingLastEvent(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.createBucket(Fixture.bucket())
        _ = try await store.heartbeat(Fixture.event(0, 0, ["app": "old"]), bucketID: "bucket-1", pulsetime: 100)
        let last = try await store.heartbeat(Fixture.event(1, 0, ["app": "x"]), bucketID: "bucket-1", pulsetime: 100)
        try await store.deleteEvent(id: last.id!, bucketID: "bucket-1")
        let next = try await store.heartbeat(Fixture.event(2, 0, ["app": "x"]), bucketID: "bucket-1", pulsetime: 100)
        #expect(next.id != last.id)
        let events = try await store.events(bucketID: "bucket-1")
        #expect(events.map { $0.data["app"] } == ["x", "old"])
        #expect(events[0].durationNanoseconds == 0)
    }

    @Test(
        "a deleted and re-created bucket starts fresh (both reference servers merge into the old event)",
        arguments: StoreKind.all)
    func cacheAfterRecreatingBucket(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.createBucket(Fixture.bucket())
        _ = try await store.heartbeat(Fixture.event(0), bucketID: "bucket-1", pulsetime: 100)
        try await store.deleteBucket(id: "bucket-1")
        await #expect(throws: DatastoreError.bucketNotFound(id: "bucket-1")) {
            try await store.heartbeat(Fixture.event(1), bucketID: "bucket-1", pulsetime: 100)
        }
        try await store.createBucket(Fixture.bucket())
        let fresh = try await store.heartbeat(Fixture.event(1), bucketID: "bucket-1", pulsetime: 100)
        #expect(fresh.durationNanoseconds == 0)
        #expect(fresh.timestamp == Fixture.at(1))
        #expect(try await store.events(bucketID: "bucket-1").count == 1)
    }

    @Test(
        "inserting no events changes nothing: the next heartbeat still continues the last one's event",
        arguments: StoreKind.all)
    func emptyInsert(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.createBucket(Fixture.bucket())
        _ = try await store.heartbeat(Fixture.event(10), bucketID: "bucket-1", pulsetime: 5)
        let older = try await store.heartbeat(Fixture.event(2), bucketID: "bucket-1", pulsetime: 5)
        #expect(try await store.insertEvents([Event](), bucketID: "bucket-1").isEmpty)
        await #expect(throws: DatastoreError.bucketNotFound(id: "missing")) {
            try await store.insertEvents([Event](), bucketID: "missing")
        }
        let next = try await store.heartbeat(Fixture.event(3), bucketID: "bucket-1", pulsetime: 5)
        #expect(next.id == older.id)
        #expect(try await store.eventCount(bucketID: "bucket-1") == 2)
    }

    @Test("an older heartbeat becomes its own event and the next one continues from it", arguments: StoreKind.all)
    func outOfOrder(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.createBucket(Fixture.bucket())
        _ = try await store.heartbeat(Fixture.event(10), bucketID: "bucket-1", pulsetime: 5)
        let older = try await store.heartbeat(Fixture.event(2), bucketID: "bucket-1", pulsetime: 5)
        let next = try await store.heartbeat(Fixture.event(3), bucketID: "bucket-1", pulsetime: 5)
        #expect(next.id == older.id)
        #expect(try await store.eventCount(bucketID: "bucket-1") == 2)
    }

    @Test("the newest stored event is picked up after a restart and heartbeats continue it")
    func continuesAfterReopen() async throws {
        let (store, folder) = try Fixture.fileStore()
        try await store.createBucket(Fixture.bucket())
        let first = try await store.heartbeat(Fixture.event(0), bucketID: "bucket-1", pulsetime: 2)
        _ = try await store.heartbeat(Fixture.event(1), bucketID: "bucket-1", pulsetime: 2)
        try store.close()
        let reopened = try Datastore(path: folder.file("sqlite.db"))
        let continued = try await reopened.heartbeat(Fixture.event(2), bucketID: "bucket-1", pulsetime: 2)
        #expect(continued.id == first.id)
        #expect(continued.durationNanoseconds == 2 * Fixture.second)
    }

    @Test("heartbeats reach the file within the flush delay without any read or shutdown")
    func flushedByTheLoop() async throws {
        let (store, folder) = try Fixture.fileStore(flushDelay: .milliseconds(100))
        let loop = Task { await store.run() }
        try await store.createBucket(Fixture.bucket())
        _ = try await store.heartbeat(Fixture.event(0), bucketID: "bucket-1", pulsetime: 2)
        _ = try await store.heartbeat(Fixture.event(1), bucketID: "bucket-1", pulsetime: 2)
        var onDisk: [[String]] = []
        for _ in 0..<50 where onDisk.isEmpty {
            try await Task.sleep(for: .milliseconds(50))
            onDisk = try runSQLiteInAnotherProcess(folder.file("sqlite.db"), "SELECT starttime, endtime FROM events")
        }
        #expect(onDisk == [["\(Fixture.at(0).nanoseconds)", "\(Fixture.at(1).nanoseconds)"]])
        store.stopRunning()
        await loop.value
    }

    @Test("closing writes every pending heartbeat")
    func closeFlushes() async throws {
        let (store, folder) = try Fixture.fileStore(flushDelay: .seconds(60))
        try await store.createBucket(Fixture.bucket())
        for second in 0..<10 {
            _ = try await store.heartbeat(
                Fixture.event(Double(second), 0, ["i": .int(Int64(second / 5))]), bucketID: "bucket-1", pulsetime: 2)
        }
        #expect(store.hasPendingWrites)
        try store.close()
        #expect(
            try runSQLiteInAnotherProcess(
                folder.file("sqlite.db"),
                "SELECT endtime - starttime, text FROM events JOIN event_data ON event_data.id = data_id ORDER BY starttime"
            ) == [
                ["\(4 * Fixture.second)", #"{"i":0}"#], ["\(4 * Fixture.second)", #"{"i":1}"#],
            ])
    }
}
