import AWCore

/// What importing another ActivityWatch server's database did.
public struct LegacyImportSummary: Sendable {
    /// One result per bucket, in the database's order.
    public var buckets: [BucketImportResult] = []
    /// Settings copied (keys this store did not have).
    public var settingsImported = 0
    /// Settings left alone because this store has them already.
    public var settingsSkipped = 0
    /// Buckets of other devices imported under another id than their name (see
    /// `LegacyDatabase.importedID(name:deviceID:)`).
    public var renamed: [(name: String, deviceID: String, importedAs: String)] = []

    public init() {}

    /// Events added over all buckets.
    public var eventsInserted: Int { buckets.reduce(0) { $0 + $1.inserted } }
    /// Events already present over all buckets.
    public var eventsSkipped: Int { buckets.reduce(0) { $0 + $1.skipped } }

    /// One line per renamed bucket, as the import reports them.
    public var renameLines: [String] {
        renamed.map {
            "bucket '\($0.name)' of device '\($0.deviceID)' imported as '\($0.importedAs)' (buckets of other devices keep their device in the id)"
        }
    }
}

extension EventStore {
    /// Imports every bucket, event and setting of `legacy`, streamed in batches, merging into
    /// existing buckets without duplicates (so a second run adds nothing). Settings this store
    /// already has are kept, unless they still hold the default in `defaults`. On SQLite a bucket
    /// is one transaction; elsewhere each batch is (an interrupted import is finished by running
    /// it again).
    ///
    /// - Parameters:
    ///   - defaults: Settings a new store starts with, by key: an imported value replaces them.
    ///   - batchSize: events read (and, off SQLite, written) at a time.
    ///   - progress: told the bucket, the events read so far and its event count after each
    ///     batch; without it the buckets are not counted first.
    /// - Throws: `LegacyDatabaseError` when the database cannot be read (on SQLite the bucket
    ///   being imported is rolled back; buckets before it stay), `DatastoreError` when this store
    ///   cannot be written.
    public func importLegacy(
        _ legacy: LegacyDatabase,
        defaults: [String: JSON] = [:],
        batchSize: Int = 10_000,
        progress: (@Sendable (_ bucketID: String, _ done: Int, _ total: Int) -> Void)? = nil
    ) async throws -> LegacyImportSummary {
        var summary = LegacyImportSummary()
        for stored in try legacy.buckets() {
            if let deviceID = stored.deviceID, stored.bucket.id != stored.name {
                summary.renamed.append((stored.name, deviceID, stored.bucket.id))
            }
            let total = progress == nil ? 0 : try legacy.eventCount(of: stored)
            progress?(stored.bucket.id, 0, total)
            if let sqlite = self as? Datastore {
                summary.buckets.append(
                    try await sqlite.importBucket(stored.bucket) { deliver in
                        var done = 0
                        try legacy.forEachBatch(of: stored, batchSize: batchSize) { events in
                            try deliver(events)
                            done += events.count
                            progress?(stored.bucket.id, done, total)
                        }
                    })
                continue
            }
            var result = BucketImportResult(bucketID: stored.bucket.id, created: false, inserted: 0, skipped: 0)
            var after: Int64?
            var done = 0
            while true {
                let (events, last) = try legacy.batch(of: stored, after: after, limit: batchSize)
                // The first call creates the bucket, even an empty one.
                if last == nil && after != nil { break }
                let batch = try await importBucket(stored.bucket, events: events)
                if after == nil { result.created = batch.created }
                result.inserted += batch.inserted
                result.skipped += batch.skipped
                done += events.count
                progress?(stored.bucket.id, done, total)
                guard let last else { break }
                after = last
            }
            summary.buckets.append(result)
        }
        for (key, value) in try legacy.settings() {
            let current = try await setting(key)
            if current == nil || (current == defaults[key] && current != value) {
                try await setSetting(key, to: value)
                summary.settingsImported += 1
            } else {
                summary.settingsSkipped += 1
            }
        }
        return summary
    }
}
