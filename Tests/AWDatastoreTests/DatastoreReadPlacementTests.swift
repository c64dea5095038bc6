import AWCore
import AWTestSupport
import Foundation
import GRDB
import Testing

@testable import AWDatastore

@Suite("Datastore: reads on the calling thread")
struct DatastoreReadPlacementTests {
    /// A read that runs for ten seconds or more: SQLite counting to 60 million (so that a read
    /// that is not stopped fails the test by finishing, within the time limit).
    static let endless =
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000000) SELECT count(*) FROM n"

    @Test("a read on the calling thread sees what a read on GRDB's queues sees, pending heartbeats included")
    func sameEvents() async throws {
        let (store, folder) = try Fixture.fileStore(flushDelay: .seconds(60))
        defer { withExtendedLifetime(folder) {} }
        try await store.createBucket(Fixture.bucket())
        _ = try await store.insertEvents((0..<50).map { Fixture.event(Double($0) * 60, 30) }, bucketID: "bucket-1")
        _ = try await store.heartbeat(Fixture.event(3_000, 0, ["app": "pending"]), bucketID: "bucket-1", pulsetime: 0)
        #expect(store.hasPendingWrites)
        let onCallingThread = try await Fixture.readingOnCallingThread { try await store.events(bucketID: "bucket-1") }
            .value
        let onQueues = try await store.events(bucketID: "bucket-1")
        #expect(onCallingThread.count == 51 && onCallingThread.first?.data["app"] == "pending")
        #expect(onCallingThread == onQueues)
    }

    @Test("a read on the calling thread stops once its task is cancelled", .timeLimit(.minutes(1)))
    func cancelledWhileRunning() async throws {
        let (store, folder) = try Fixture.fileStore()
        defer { withExtendedLifetime(folder) {} }
        let started = DispatchSemaphore(value: 0)
        let reading = Fixture.readingOnCallingThread {
            try await store.read { db in
                started.signal()
                return try Int.fetchOne(db, sql: Self.endless)
            }
        }
        // Cancelled from a thread of its own once the statement is about to run.
        DispatchQueue(label: "aw-test-canceller").async {
            started.wait()
            reading.cancel()
        }
        await #expect(throws: (any Error).self) { try await reading.value }
        // The connection goes back to the pool usable.
        let count = try await Fixture.readingOnCallingThread {
            try await store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM buckets") }
        }.value
        #expect(count == 0)
    }

    @Test("a read on the calling thread whose task was cancelled before it began does not run", .timeLimit(.minutes(1)))
    func cancelledBeforehand() async throws {
        let (store, folder) = try Fixture.fileStore()
        defer { withExtendedLifetime(folder) {} }
        let reading = Fixture.readingOnCallingThread {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await store.read { db in try Int.fetchOne(db, sql: Self.endless) }
        }
        await #expect(throws: (any Error).self) { try await reading.value }
    }
}
