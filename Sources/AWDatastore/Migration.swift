import AWCore

/// Copies every bucket, event and setting from one store to another, a page of events at a
/// time, so any amount of data fits in memory.
///
/// Running it again adds nothing: a bucket the target does not have is created and filled with
/// plain inserts (an exact copy, duplicates included); a bucket it has gets only the events it
/// lacks (same start, end and data), so an interrupted migration is finished by running it again.
public struct Migration: Sendable {
    /// What a migration did.
    public struct Totals: Sendable, Equatable {
        /// Buckets copied or brought up to date.
        public var buckets = 0
        /// Events the target did not have.
        public var inserted = 0
        /// Events the target had already.
        public var skipped = 0
        /// Settings copied.
        public var settings = 0

        public init(buckets: Int = 0, inserted: Int = 0, skipped: Int = 0, settings: Int = 0) {
            self.buckets = buckets
            self.inserted = inserted
            self.skipped = skipped
            self.settings = settings
        }
    }

    public let source: any EventStore
    public let target: any EventStore
    public let pageSize: Int

    public init(source: any EventStore, target: any EventStore, pageSize: Int = 10_000) {
        self.source = source
        self.target = target
        self.pageSize = max(1, pageSize)
    }

    /// Runs the migration, calling `progress` with a line per page and per bucket.
    public func run(progress: (String) -> Void = { _ in }) async throws(DatastoreError) -> Totals {
        var totals = Totals()
        let existing = Set(try await target.buckets().map(\.id))
        for bucket in try await source.buckets().sorted(by: { $0.id < $1.id }) {
            let total = try await source.eventCount(bucketID: bucket.id, start: nil, end: nil)
            let fresh = !existing.contains(bucket.id)
            if fresh { try await target.createBucket(bucket) }
            var done = 0
            var lastID: Int64?
            while true {
                let page = try await source.eventPage(bucketID: bucket.id, afterID: lastID, limit: pageSize)
                guard let last = page.last else { break }
                lastID = last.id
                if fresh {
                    let copies = page.map { event in
                        var copy = event
                        copy.id = nil
                        return copy
                    }
                    totals.inserted += try await target.insertEvents(copies, bucketID: bucket.id).count
                } else {
                    let result = try await target.importBucket(bucket, events: page)
                    totals.inserted += result.inserted
                    totals.skipped += result.skipped
                }
                done += page.count
                progress("\(bucket.id): \(done)/\(total) events")
            }
            if done == 0 { progress("\(bucket.id): no events") }
            totals.buckets += 1
        }
        for (key, value) in try await source.settings().sorted(by: { $0.key < $1.key }) {
            try await target.setSetting(key, to: value)
            totals.settings += 1
        }
        return totals
    }
}
