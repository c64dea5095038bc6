import AWCore
import GRDB

extension Datastore {
    /// Every bucket, with metadata covering its events.
    public func buckets() -> [Bucket] {
        state.withLock { state in state.buckets.values.map(\.bucket) }
    }

    /// The bucket with this id.
    ///
    /// - Throws: `DatastoreError.bucketNotFound`.
    public func bucket(id: String) throws(DatastoreError) -> Bucket {
        try state.withLock { state throws(DatastoreError) in try state.bucket(id).bucket }
    }

    /// Whether a bucket with this id exists.
    public func bucketExists(id: String) -> Bool {
        state.withLock { $0.buckets[id] != nil }
    }

    /// Creates a bucket; its metadata starts empty.
    ///
    /// - Throws: `DatastoreError.bucketAlreadyExists`, or a storage error.
    public func createBucket(_ bucket: Bucket) async throws(DatastoreError) {
        if bucketExists(id: bucket.id) { throw .bucketAlreadyExists(id: bucket.id) }
        var stored = bucket
        stored.metadata = BucketMetadata()
        let newBucket = stored
        try await write { db -> Int64 in
            if self.bucketExists(id: bucket.id) { throw DatastoreError.bucketAlreadyExists(id: bucket.id) }
            try db.execute(
                sql: "INSERT INTO buckets (name, type, client, hostname, created, data) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    bucket.id, bucket.type, bucket.client, bucket.hostname, bucket.created.rfc3339,
                    JSON.object(bucket.data).serialized(),
                ]
            )
            return db.lastInsertedRowID
        } onCommit: { row in
            self.state.withLock { state in
                state.buckets[bucket.id] = BucketState(
                    bucket: newBucket,
                    row: row,
                    maximumDurationNanoseconds: 0,
                    storedMaximumDurationNanoseconds: 0,
                    lastEvent: .none
                )
            }
        }
        logger.debug("created bucket", metadata: ["bucket.id": "\(bucket.id)"])
    }

    /// Changes a bucket's type, client, hostname or data; `nil` leaves a field as it is.
    ///
    /// - Throws: `DatastoreError.bucketNotFound`, or a storage error.
    public func updateBucket(
        id: String,
        type: String? = nil,
        client: String? = nil,
        hostname: String? = nil,
        data: [String: JSON]? = nil
    ) async throws(DatastoreError) {
        try await write { db -> Bucket in
            var bucket = try self.bucket(id: id)
            bucket.type = type ?? bucket.type
            bucket.client = client ?? bucket.client
            bucket.hostname = hostname ?? bucket.hostname
            bucket.data = data ?? bucket.data
            try db.execute(
                sql: "UPDATE buckets SET type = ?, client = ?, hostname = ?, data = ? WHERE name = ?",
                arguments: [bucket.type, bucket.client, bucket.hostname, JSON.object(bucket.data).serialized(), id]
            )
            return bucket
        } onCommit: { updated in
            self.state.withLock { state in state.buckets[id]?.bucket = updated }
        }
    }

    /// Deletes a bucket and all its events, including heartbeats not yet written.
    ///
    /// - Throws: `DatastoreError.bucketNotFound`, or a storage error.
    public func deleteBucket(id: String) async throws(DatastoreError) {
        try await write { db -> Int64 in
            let row = try self.state.withLock { state throws(DatastoreError) in try state.bucket(id).row }
            // The bucket's data texts lose its events' uses; those nothing uses any more go too.
            try self.heldUses.storeAll(db)
            try db.execute(
                sql: """
                    UPDATE event_data_uses SET uses = uses - gone.count
                    FROM (SELECT data_id, COUNT(*) AS count FROM events WHERE bucketrow = ? GROUP BY data_id) AS gone
                    WHERE event_data_uses.id = gone.data_id;
                    DELETE FROM events WHERE bucketrow = ?;
                    """,
                arguments: [row, row])
            if self.heldUses.deletesUnused {
                try db.execute(sql: EventDataIDs.deleteAllUnusedSQL)
            }
            self.knownDataIDs.forgetAll(in: db)
            try db.execute(sql: "DELETE FROM buckets WHERE id = ?", arguments: [row])
            return row
        } onCommit: { row in
            self.state.withLock { state in
                state.buckets[id] = nil
                state.pendingRows = state.pendingRows.filter { $0.value.bucketRow != row }
            }
        }
        logger.debug("deleted bucket", metadata: ["bucket.id": "\(id)"])
    }
}
