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
            var toInsert: [Event] = []
            let present = try db.cachedStatement(
                sql: "SELECT 1 FROM events WHERE bucketrow = ? AND starttime = ? AND endtime = ? AND data = ? LIMIT 1"
            )
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
                    continue
                }
                toInsert.append(event)
            }
            var nextID = self.state.withLock { $0.allocateEventIDs(toInsert.count) }
            var writer = try EventRowWriter(db, replacing: false)
            var maximum = storedMaximum
            var inserted: [Event] = []
            inserted.reserveCapacity(toInsert.count)
            for event in toInsert {
                var stored = event
                stored.id = nextID
                nextID += 1
                try writer.write(stored, id: nextID - 1, bucketRow: row)
                maximum = max(maximum, event.durationNanoseconds)
                inserted.append(stored)
            }
            if maximum > storedMaximum {
                try db.execute(sql: "UPDATE buckets SET max_duration = ? WHERE id = ?", arguments: [maximum, row])
            }
            try self.storeEventIDHighWater(db)
            return ImportOutcome(
                row: row, created: created, inserted: inserted, skipped: events.count - toInsert.count,
                maximumDuration: maximum)
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
                guard state.buckets[bucket.id]?.row == outcome.row else { return }
                for event in outcome.inserted { state.buckets[bucket.id]!.include(event) }
                state.buckets[bucket.id]!.storedMaximumDurationNanoseconds = outcome.maximumDuration
                if !outcome.inserted.isEmpty { state.buckets[bucket.id]!.lastEvent = .unknown }
            }
        }
        logger.debug(
            "imported bucket",
            metadata: [
                "bucket.id": "\(bucket.id)", "events.inserted": "\(outcome.inserted.count)",
                "events.skipped": "\(outcome.skipped)",
            ]
        )
        return BucketImportResult(
            bucketID: bucket.id, created: outcome.created, inserted: outcome.inserted.count, skipped: outcome.skipped)
    }
}

/// What `importBucket` wrote.
struct ImportOutcome: Sendable {
    var row: Int64
    var created: Bool
    var inserted: [Event]
    var skipped: Int
    var maximumDuration: Int64
}
