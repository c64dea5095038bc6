import AWCore
import GRDB

/// What importing one bucket did.
public struct BucketImportResult: Sendable, Hashable {
    /// The bucket's id.
    public var bucketID: String
    /// Whether the bucket was created (it did not exist before).
    public var created: Bool
    /// Events added.
    public var inserted: Int
    /// Events skipped because the bucket already had an identical one.
    public var skipped: Int

    public init(bucketID: String, created: Bool, inserted: Int, skipped: Int) {
        self.bucketID = bucketID
        self.created = created
        self.inserted = inserted
        self.skipped = skipped
    }
}

extension Datastore {
    /// Imports a bucket with its events in one transaction: creates the bucket if needed, and
    /// adds only the events it does not already have (same timestamp, duration and data).
    /// Event ids in the import are ignored, so an import never touches another bucket's events,
    /// and importing the same export twice adds nothing the second time.
    ///
    /// - Throws: a storage error; then nothing of this bucket was imported.
    public func importBucket(_ bucket: Bucket, events: [Event]) async throws(DatastoreError) -> BucketImportResult {
        try await importBucket(bucket) { deliver in try deliver(events) }
    }

    /// Imports a bucket whose events come in batches from `produce`, which calls the function it
    /// is given once per batch, inside the import's one transaction: large sources (another
    /// database) are imported without holding all their events in memory. Rules as in
    /// `importBucket(_:events:)`; an error thrown by `produce` rolls the bucket's import back.
    public func importBucket(
        _ bucket: Bucket,
        batches produce: @escaping @Sendable (_ deliver: ([Event]) throws -> Void) throws -> Void
    ) async throws(DatastoreError) -> BucketImportResult {
        try await flush()
        let outcome = try await write { db -> ImportOutcome in
            var existing = self.state.withLock { state -> (row: Int64, stored: Int64)? in
                state.buckets[bucket.id].map { ($0.row, $0.storedMaximumDurationNanoseconds) }
            }
            let created = existing == nil
            if existing == nil {
                try db.execute(
                    sql: "INSERT INTO buckets (name, type, client, hostname, created, data) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [
                        bucket.id, bucket.type, bucket.client, bucket.hostname, bucket.created.rfc3339,
                        JSON.object(bucket.data).serialized(),
                    ]
                )
                existing = (db.lastInsertedRowID, 0)
            }
            let (row, storedMaximum) = existing!
            let present = try db.cachedStatement(
                sql: """
                    SELECT 1 FROM events WHERE bucketrow = ? AND starttime = ? AND endtime = ?
                    AND data_id = (SELECT id FROM event_data WHERE text = ?) LIMIT 1
                    """
            )
            var outcome = ImportOutcome(
                row: row, created: created, inserted: 0, skipped: 0, metadata: BucketMetadata(),
                maximumDuration: storedMaximum)
            try produce { events in
                var toInsert: [Event] = []
                for event in events {
                    if !created,
                        try Bool.fetchOne(
                            present,
                            arguments: [
                                row, event.timestamp.nanoseconds, event.end.nanoseconds,
                                JSON.object(event.data).serialized(),
                            ]
                        ) == true
                    {
                        outcome.skipped += 1
                        continue
                    }
                    toInsert.append(event)
                }
                var nextID = self.state.withLock { $0.allocateEventIDs(toInsert.count) }
                try EventRowWriter.writing(db, known: self.knownDataIDs, held: self.heldUses) { writer in
                    for event in toInsert {
                        try writer.write(event, id: nextID, bucketRow: row, replacing: false)
                        nextID += 1
                        outcome.maximumDuration = max(outcome.maximumDuration, event.durationNanoseconds)
                        outcome.metadata = outcome.metadata.including(event)
                    }
                }
                outcome.inserted += toInsert.count
            }
            if outcome.maximumDuration > storedMaximum {
                try db.execute(
                    sql: "UPDATE buckets SET max_duration = ? WHERE id = ?", arguments: [outcome.maximumDuration, row])
            }
            try self.storeEventIDHighWater(db)
            return outcome
        } onCommit: { outcome in
            self.state.withLock { state in
                if outcome.created {
                    var stored = bucket
                    stored.metadata = BucketMetadata()
                    state.buckets[bucket.id] = BucketState(
                        bucket: stored, row: outcome.row, maximumDurationNanoseconds: 0,
                        storedMaximumDurationNanoseconds: 0,
                        lastEvent: .none)
                }
                guard state.buckets[bucket.id]?.row == outcome.row, outcome.inserted > 0 else { return }
                state.buckets[bucket.id]!.bucket.metadata = state.buckets[bucket.id]!.bucket.metadata.including(
                    outcome.metadata)
                state.buckets[bucket.id]!.maximumDurationNanoseconds = max(
                    state.buckets[bucket.id]!.maximumDurationNanoseconds, outcome.maximumDuration)
                state.buckets[bucket.id]!.storedMaximumDurationNanoseconds = outcome.maximumDuration
                state.buckets[bucket.id]!.lastEvent = .unknown
            }
        }
        logger.debug(
            "imported bucket",
            metadata: [
                "bucket.id": "\(bucket.id)", "events.inserted": "\(outcome.inserted)",
                "events.skipped": "\(outcome.skipped)",
            ]
        )
        return BucketImportResult(
            bucketID: bucket.id, created: outcome.created, inserted: outcome.inserted, skipped: outcome.skipped)
    }
}

/// What `importBucket` wrote.
struct ImportOutcome: Sendable {
    var row: Int64
    var created: Bool
    var inserted: Int
    var skipped: Int
    /// The time span of the inserted events.
    var metadata: BucketMetadata
    var maximumDuration: Int64
}
