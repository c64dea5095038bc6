import AWCore

/// What the datastore keeps in memory: every bucket with its metadata, each bucket's last
/// event for heartbeat merging, and the heartbeat writes not yet on disk.
///
/// Guarded by a mutex in `Datastore`; everything that changes rows on disk also updates it
/// while holding the database writer, so the two never disagree.
struct DatastoreState {
    /// Buckets by their public id.
    var buckets: [String: BucketState] = [:]
    /// The id the next new event gets.
    var nextEventID: Int64 = 1
    /// The next-id high-water mark as last committed to `key_value`.
    var storedEventIDHighWater: Int64 = 0
    /// Heartbeat rows waiting for the next flush, by event id (a later write of the same
    /// event replaces the earlier one, so each event is written once per flush).
    var pendingRows: [Int64: PendingRow] = [:]

    /// Reserves `count` consecutive event ids.
    mutating func allocateEventIDs(_ count: Int) -> Int64 {
        let first = nextEventID
        nextEventID += Int64(count)
        return first
    }

    /// Buckets whose longest event grew past what the buckets table says.
    func grownMaximumDurations() -> [GrownDuration] {
        buckets.values.compactMap { bucket in
            bucket.maximumDurationNanoseconds > bucket.storedMaximumDurationNanoseconds
                ? GrownDuration(bucketRow: bucket.row, nanoseconds: bucket.maximumDurationNanoseconds) : nil
        }
    }

    /// Records that `grown` durations are now on disk.
    mutating func markStored(_ grown: [GrownDuration]) {
        for entry in grown {
            guard let id = buckets.first(where: { $0.value.row == entry.bucketRow })?.key else { continue }
            buckets[id]!.storedMaximumDurationNanoseconds = max(
                buckets[id]!.storedMaximumDurationNanoseconds, entry.nanoseconds)
        }
    }

    /// The bucket with this id, or `bucketNotFound`.
    func bucket(_ id: String) throws(DatastoreError) -> BucketState {
        guard let bucket = buckets[id] else { throw .bucketNotFound(id: id) }
        return bucket
    }
}

/// One bucket as the datastore tracks it.
struct BucketState {
    /// The bucket, with metadata covering its events.
    var bucket: Bucket
    /// The bucket's row id, which events reference.
    var row: Int64
    /// The longest event duration ever stored in the bucket: range reads only need to look this
    /// far back before the range start.
    var maximumDurationNanoseconds: Int64
    /// `maximumDurationNanoseconds` as last written to the buckets table.
    var storedMaximumDurationNanoseconds: Int64
    /// The newest event, as heartbeats merge into it.
    var lastEvent: LastEvent

    /// Widens metadata and the maximum duration to cover `event`.
    mutating func include(_ event: Event) {
        bucket.metadata = bucket.metadata.including(event)
        maximumDurationNanoseconds = max(maximumDurationNanoseconds, event.durationNanoseconds)
    }
}

/// A bucket's last event, as far as the datastore knows it.
enum LastEvent {
    /// Not known: it must be read from disk before the next heartbeat merges.
    case unknown
    /// The bucket has no events.
    case none
    /// The newest event (with its id).
    case event(Event)
}

/// An event row to be written (inserted or replaced) by the next flush.
struct PendingRow {
    var bucketRow: Int64
    var event: Event
}

/// A bucket's longest event duration that must be written to the buckets table.
struct GrownDuration: Sendable {
    var bucketRow: Int64
    var nanoseconds: Int64
}
