import AWCore
import GRDB

extension Datastore {
    /// Records a heartbeat: merges it into the bucket's last event when it continues it (equal
    /// data, starting no earlier than that event and at most `pulsetime` seconds after its end),
    /// otherwise stores it as a new event. Returns the resulting event with its id.
    ///
    /// The merge runs in memory against a cache of each bucket's last event, which inserts and
    /// deletes keep correct; the write reaches the disk with the next flush (within
    /// `flushDelay`).
    ///
    /// - Parameters:
    ///   - event: The heartbeat (its `id` is ignored).
    ///   - bucketID: The bucket.
    ///   - pulsetime: Seconds after the last event's end within which the heartbeat still merges.
    /// - Throws: `DatastoreError.bucketNotFound`, or the storage error that keeps heartbeats
    ///   from being written (then nothing is acknowledged).
    public func heartbeat(_ event: Event, bucketID: String, pulsetime: Double) async throws(DatastoreError) -> Event {
        if flushFailure.withLock({ $0 != nil }) {
            // Writes have been failing (a full disk?): acknowledge nothing until one succeeds.
            try await flush()
        }
        let pulsetimeNanoseconds = Self.pulsetimeNanoseconds(pulsetime)
        var heartbeat = event
        heartbeat.id = nil
        while true {
            let outcome = try state.withLock { state throws(DatastoreError) in
                try Self.merge(heartbeat, bucketID: bucketID, pulsetimeNanoseconds: pulsetimeNanoseconds, state: &state)
            }
            switch outcome {
            case .recorded(let result, let firstPending):
                if firstPending { requestFlush() }
                return result
            case .lastEventUnknown:
                try await loadLastEvent(bucketID: bucketID)
            }
        }
    }

    private enum HeartbeatOutcome {
        /// The heartbeat was recorded as this event; `firstPending` says it is the first write
        /// waiting for a flush.
        case recorded(Event, firstPending: Bool)
        /// The bucket's last event must be read from disk first.
        case lastEventUnknown
    }

    private static func merge(
        _ heartbeat: Event,
        bucketID: String,
        pulsetimeNanoseconds: Int64,
        state: inout DatastoreState
    ) throws(DatastoreError) -> HeartbeatOutcome {
        let bucket = try state.bucket(bucketID)
        var result: Event
        switch bucket.lastEvent {
        case .unknown:
            return .lastEventUnknown
        case .event(let last):
            if let merged = last.merging(heartbeat: heartbeat, pulsetimeNanoseconds: pulsetimeNanoseconds) {
                result = merged
            } else {
                result = heartbeat
                result.id = state.allocateEventIDs(1)
            }
        case .none:
            result = heartbeat
            result.id = state.allocateEventIDs(1)
        }
        let firstPending = state.pendingRows.isEmpty
        state.buckets[bucketID]!.lastEvent = .event(result)
        state.buckets[bucketID]!.include(result)
        state.pendingRows[result.id!] = PendingRow(bucketRow: bucket.row, event: result)
        return .recorded(result, firstPending: firstPending)
    }

    /// Reads the bucket's newest event from disk into the cache (if nothing filled it meanwhile).
    private func loadLastEvent(bucketID: String) async throws(DatastoreError) {
        try await flush()
        try await write { db in
            guard let row = self.state.withLock({ $0.buckets[bucketID]?.row }) else { return }
            let newest = try Row.fetchOne(
                db,
                sql:
                    "SELECT \(Schema.storedEventColumns) WHERE bucketrow = ? ORDER BY starttime DESC, endtime ASC, events.id ASC LIMIT 1",
                arguments: [row]
            ).map(Self.storedEvent)
            self.state.withLock { state in
                guard state.buckets[bucketID]?.row == row, case .unknown = state.buckets[bucketID]!.lastEvent else {
                    return
                }
                state.buckets[bucketID]!.lastEvent = newest.map { .event($0) } ?? .none
            }
        }
    }
}
