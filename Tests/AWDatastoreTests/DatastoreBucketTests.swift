import AWCore
import AWStoreTestSupport
import AWTestSupport
import Foundation
import Testing

@testable import AWDatastore

@Suite("Datastore: buckets and settings")
struct DatastoreBucketTests {
    @Test("buckets are created, listed, updated and deleted; duplicates are refused", arguments: StoreKind.all)
    func lifecycle(kind: StoreKind) async throws {
        let store = try await kind.make()
        #expect(try await store.buckets().isEmpty)
        try await store.createBucket(Fixture.bucket())
        await #expect(throws: DatastoreError.bucketAlreadyExists(id: "bucket-1")) {
            try await store.createBucket(Fixture.bucket())
        }
        try await store.updateBucket(id: "bucket-1", type: nil, client: nil, hostname: "other", data: ["k": "v"])
        let bucket = try await store.bucket(id: "bucket-1")
        #expect(bucket.hostname == "other")
        #expect(bucket.type == "currentwindow")
        #expect(bucket.data == ["k": "v"])
        try await store.deleteBucket(id: "bucket-1")
        await #expect(throws: DatastoreError.bucketNotFound(id: "bucket-1")) { try await store.bucket(id: "bucket-1") }
        await #expect(throws: DatastoreError.bucketNotFound(id: "bucket-1")) {
            try await store.deleteBucket(id: "bucket-1")
        }
    }

    @Test("buckets, their metadata and settings survive closing and reopening the file")
    func reopen() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("sqlite.db")
        do {
            let store = try Datastore(path: path)
            try await store.createBucket(Fixture.bucket())
            _ = try await store.insertEvents([Fixture.event(10, 5), Fixture.event(100, 1)], bucketID: "bucket-1")
            try await store.setSetting("theme", to: "dark")
            try store.close()
        }
        let reopened = try Datastore(path: path)
        let bucket = try reopened.bucket(id: "bucket-1")
        #expect(bucket.created == Fixture.base)
        #expect(bucket.metadata == BucketMetadata(start: Fixture.at(10), end: Fixture.at(101)))
        #expect(try await reopened.setting("theme") == "dark")
    }

    @Test("settings hold any JSON; unset keys are nil; long keys are refused", arguments: StoreKind.all)
    func settings(kind: StoreKind) async throws {
        let store = try await kind.make()
        #expect(try await store.setting("missing") == nil)
        try await store.setSetting("classes", to: [["name": ["Work"], "rule": ["type": "regex", "regex": "code"]]])
        try await store.setSetting("startOfDay", to: "04:00")
        try await store.setSetting("startOfDay", to: "05:00")
        #expect(
            try await store.settings() == [
                "classes": [["name": ["Work"], "rule": ["type": "regex", "regex": "code"]]], "startOfDay": "05:00",
            ])
        try await store.deleteSetting("startOfDay")
        try await store.deleteSetting("never-set")
        #expect(try await store.setting("startOfDay") == nil)
        let long = String(repeating: "k", count: 128)
        await #expect(throws: DatastoreError.self) { try await store.setSetting(long, to: 1) }
        try await store.setSetting(String(repeating: "k", count: 127), to: 1)
    }

    @Test("a second process cannot open a database that is in use")
    func exclusiveUse() throws {
        let (store, folder) = try Fixture.fileStore()
        #expect(throws: DatastoreError.alreadyInUse(path: folder.file("sqlite.db"))) {
            try Datastore(path: folder.file("sqlite.db"))
        }
        withExtendedLifetime(store) {}
    }

    @Test("a file that is not an SQLite database is refused and left untouched")
    func notADatabase() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("sqlite.db")
        let garbage = Data(String(repeating: "this is not a database\n", count: 200).utf8)
        try garbage.write(to: URL(fileURLWithPath: path))
        #expect {
            try Datastore(path: path)
        } throws: { error in
            guard case .notADatabase(let failing, _) = error as? DatastoreError else { return false }
            return failing == path
        }
        #expect(FileManager.default.contents(atPath: path) == garbage)
    }

    @Test("another program's SQLite database is refused, not filled with our tables")
    func foreignDatabase() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("other.db")
        try runSQLiteInAnotherProcess(path, "create table customers (id integer)")
        #expect {
            try Datastore(path: path)
        } throws: { error in
            "\(error)".contains("customers")
        }
    }

    @Test("a database from a newer version (unknown migrations) is refused")
    func newerSchema() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("sqlite.db")
        do {
            let store = try Datastore(path: path)
            try store.close()
        }
        try runSQLiteInAnotherProcess(path, "insert into grdb_migrations values ('v99: future')")
        #expect(throws: DatastoreError.unknownSchema(path: path, migrations: ["v99: future"])) {
            try Datastore(path: path)
        }
    }
}
