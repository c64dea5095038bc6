import AWCore

/// What importing another ActivityWatch server's database did.
public struct LegacyImportSummary: Sendable {
    /// One result per bucket, in the database's order.
    public var buckets: [BucketImportResult] = []
    /// Settings copied (keys this datastore did not have).
    public var settingsImported = 0
    /// Settings left alone because this datastore has them already.
    public var settingsSkipped = 0

    public init() {}

    /// Events added over all buckets.
    public var eventsInserted: Int { buckets.reduce(0) { $0 + $1.inserted } }
    /// Events already present over all buckets.
    public var eventsSkipped: Int { buckets.reduce(0) { $0 + $1.skipped } }
}

extension Datastore {
    /// Imports every bucket, event and setting of `legacy`: one transaction per bucket, streamed
    /// in batches, merging into existing buckets without duplicates (so a second run adds
    /// nothing). Settings this datastore already has are kept.
    ///
    /// - Parameter progress: told the bucket, the events read so far and its event count after
    ///   each batch; without it the buckets are not counted first.
    /// - Throws: `LegacyDatabaseError` when the database cannot be read (the bucket being imported
    ///   is rolled back; those before it stay), `DatastoreError` when this one cannot be written.
    public func importLegacy(
        _ legacy: LegacyDatabase,
        progress: (@Sendable (_ bucketID: String, _ done: Int, _ total: Int) -> Void)? = nil
    ) async throws -> LegacyImportSummary {
        var summary = LegacyImportSummary()
        for stored in try legacy.buckets() {
            let total = progress == nil ? 0 : try legacy.eventCount(of: stored)
            progress?(stored.bucket.id, 0, total)
            let result = try await importBucket(stored.bucket) { deliver in
                var done = 0
                try legacy.forEachBatch(of: stored) { events in
                    try deliver(events)
                    done += events.count
                    progress?(stored.bucket.id, done, total)
                }
            }
            summary.buckets.append(result)
        }
        for (key, value) in try legacy.settings() {
            if try await setting(key) == nil {
                try await setSetting(key, to: value)
                summary.settingsImported += 1
            } else {
                summary.settingsSkipped += 1
            }
        }
        return summary
    }
}
