import AWCore
import Foundation
import GRDB

extension Datastore {
    /// Stores events in a bucket (their data as canonical JSON text) and returns them with their
    /// ids, in the given order.
    ///
    /// An event whose `id` names an event of the same bucket replaces it (this is how clients
    /// edit events); any other `id` is ignored and the event gets a new one, so a client can
    /// never overwrite another bucket's events. Committed before returning.
    ///
    /// - Throws: `DatastoreError.bucketNotFound`, or a storage error.
    public func insertEvents(_ events: [EncodedEvent], bucketID: String) async throws(DatastoreError) -> [EncodedEvent]
    {
        guard !events.isEmpty else {
            _ = try bucket(id: bucketID)
            return []
        }
        return try await write { db -> InsertOutcome in
            let (row, storedMaximum, pendingIDs) = try self.state.withLock { state throws(DatastoreError) in
                let bucket = try state.bucket(bucketID)
                let pending = Set(state.pendingRows.filter { $0.value.bucketRow == bucket.row }.keys)
                return (bucket.row, bucket.storedMaximumDurationNanoseconds, pending)
            }
            let owned = try db.cachedStatement(sql: "SELECT 1 FROM events WHERE id = ? AND bucketrow = ?")
            var stored = events
            var replacedIDs: [Int64] = []
            for index in stored.indices {
                if let id = stored[index].id,
                    try pendingIDs.contains(id) || Bool.fetchOne(owned, arguments: [id, row]) == true
                {
                    replacedIDs.append(id)
                    continue
                }
                stored[index].id = nil
            }
            var nextID = self.state.withLock { $0.allocateEventIDs(stored.count - replacedIDs.count) }
            var inserter = try EventRowWriter(db, replacing: false)
            var replacer = try EventRowWriter(db, replacing: true)
            var maximum = storedMaximum
            var span = BucketMetadata()
            for index in stored.indices {
                if let id = stored[index].id {
                    try replacer.write(stored[index], id: id, bucketRow: row)
                } else {
                    stored[index].id = nextID
                    try inserter.write(stored[index], id: nextID, bucketRow: row)
                    nextID += 1
                }
                maximum = max(maximum, stored[index].durationNanoseconds)
                span = span.including(BucketMetadata(start: stored[index].timestamp, end: stored[index].end))
            }
            if maximum > storedMaximum {
                try db.execute(sql: "UPDATE buckets SET max_duration = ? WHERE id = ?", arguments: [maximum, row])
            }
            try self.storeEventIDHighWater(db)
            return InsertOutcome(
                events: stored, replacedIDs: replacedIDs, span: span, bucketRow: row, maximumDuration: maximum)
        } onCommit: { outcome in
            self.state.withLock { state in
                guard var bucket = state.buckets[bucketID], bucket.row == outcome.bucketRow else { return }
                bucket.bucket.metadata = bucket.bucket.metadata.including(outcome.span)
                bucket.maximumDurationNanoseconds = max(bucket.maximumDurationNanoseconds, outcome.maximumDuration)
                bucket.storedMaximumDurationNanoseconds = outcome.maximumDuration
                bucket.lastEvent = .unknown
                state.buckets[bucketID] = bucket
                for id in outcome.replacedIDs { state.pendingRows[id] = nil }
            }
        }.events
    }

    /// The events of a bucket that overlap `[start, end]` (both ends included), clipped to it,
    /// newest first (ties: shorter first, then by id), at most `limit` of them.
    ///
    /// - Parameters:
    ///   - bucketID: The bucket.
    ///   - start: Only events ending at or after this; `nil` for no lower bound.
    ///   - end: Only events starting at or before this; `nil` for no upper bound.
    ///   - limit: The most events to return; `nil` for all.
    /// - Throws: `DatastoreError.bucketNotFound`, or a storage error.
    public func events(bucketID: String, start: Timestamp? = nil, end: Timestamp? = nil, limit: Int? = nil)
        async throws(DatastoreError) -> [Event]
    {
        let range = try rangeQuery(bucketID: bucketID, start: start, end: end, limit: limit)
        guard !range.isEmpty else { return [] }
        return try await read { db in try EventRowReader(cache: self.dataCache).events(db, range) }
    }

    /// The same events as `events(bucketID:start:end:limit:)`, serialized as the JSON array the
    /// REST API returns and streamed in chunks (stored data is copied through without being
    /// re-parsed).
    ///
    /// - Throws: `DatastoreError.bucketNotFound` before anything is produced.
    public func eventsJSON(bucketID: String, start: Timestamp? = nil, end: Timestamp? = nil, limit: Int? = nil)
        throws(DatastoreError) -> JSONChunkStream
    {
        let range = try rangeQuery(bucketID: bucketID, start: start, end: end, limit: limit)
        return JSONChunkStream.make(self) { sink in
            sink.writer.writeByte(UInt8(ascii: "["))
            if !range.isEmpty { try Self.writeEventRows(range, to: sink) }
            sink.writer.writeByte(UInt8(ascii: "]"))
        }
    }

    /// Writes the rows of `range` as comma-separated event objects.
    static func writeEventRows(_ range: RangeQuery, to sink: ChunkSink) throws {
        var first = true
        let rows = try Row.fetchCursor(sink.db, sql: range.sql, arguments: range.arguments)
        while let row = try rows.next() {
            if !first { sink.writer.writeByte(UInt8(ascii: ",")) }
            first = false
            let (id, start, end): (Int64, Int64, Int64) = (row[0], row[1], row[2])
            try row.withUnsafeData(atIndex: 3) { data in
                guard let data else {
                    return range.window.writeEvent(id: id, start: start, end: end, data: nil, to: &sink.writer)
                }
                data.withUnsafeBytes {
                    range.window.writeEvent(id: id, start: start, end: end, data: $0, to: &sink.writer)
                }
            }
            try sink.flushIfFull()
        }
    }

    /// An export document (`{"buckets": {"<id>": {…bucket, "events": [...]}}}`) of the given
    /// buckets, or of all, with every event unclipped and newest first, streamed in chunks from
    /// one consistent snapshot.
    public func exportJSON(bucketIDs: [String]? = nil) throws(DatastoreError) -> JSONChunkStream {
        let all = self.buckets().sorted { $0.id < $1.id }
        if let bucketIDs {
            for id in bucketIDs where !all.contains(where: { $0.id == id }) { throw .bucketNotFound(id: id) }
        }
        let buckets = bucketIDs.map { ids in all.filter { ids.contains($0.id) } } ?? all
        let ranges = try buckets.map { bucket throws(DatastoreError) in
            try rangeQuery(bucketID: bucket.id, start: nil, end: nil, limit: nil)
        }
        return JSONChunkStream.make(self) { sink in
            sink.writer.writeRaw("{\"buckets\":{")
            for (index, bucket) in buckets.enumerated() {
                if index > 0 { sink.writer.writeByte(UInt8(ascii: ",")) }
                sink.writer.write(bucket.id)
                sink.writer.writeByte(UInt8(ascii: ":"))
                bucket.writeFields(to: &sink.writer)
                sink.writer.writeRaw(",\"events\":[")
                try Self.writeEventRows(ranges[index], to: sink)
                sink.writer.writeRaw("]}")
            }
            sink.writer.writeRaw("}}")
        }
    }

    /// How many events of a bucket overlap `[start, end]` (unbounded where `nil`).
    ///
    /// - Throws: `DatastoreError.bucketNotFound`, or a storage error.
    public func eventCount(bucketID: String, start: Timestamp? = nil, end: Timestamp? = nil)
        async throws(DatastoreError) -> Int
    {
        let range = try rangeQuery(
            bucketID: bucketID, start: start, end: end, limit: nil, columns: "COUNT(*)", ordered: false)
        guard !range.isEmpty else { return 0 }
        return try await read { db in try Int.fetchOne(db, sql: range.sql, arguments: range.arguments) ?? 0 }
    }

    /// One event of a bucket, unclipped.
    ///
    /// - Throws: `DatastoreError.eventNotFound` or `.bucketNotFound`, or a storage error.
    public func event(id: Int64, bucketID: String) async throws(DatastoreError) -> Event {
        let row = try state.withLock { state throws(DatastoreError) in try state.bucket(bucketID).row }
        let event = try await read { db -> Event? in
            try Row.fetchOne(
                db, sql: "SELECT id, starttime, endtime, data FROM events WHERE id = ? AND bucketrow = ?",
                arguments: [id, row]
            ).map(Self.storedEvent)
        }
        guard let event else { throw .eventNotFound(bucketID: bucketID, eventID: id) }
        return event
    }

    /// Deletes one event of a bucket.
    ///
    /// - Throws: `DatastoreError.eventNotFound` when the bucket has no such event,
    ///   `.bucketNotFound`, or a storage error.
    public func deleteEvent(id: Int64, bucketID: String) async throws(DatastoreError) {
        let deleted = try await write { db -> Bool in
            let (row, pending) = try self.state.withLock { state throws(DatastoreError) in
                let row = try state.bucket(bucketID).row
                return (row, state.pendingRows[id]?.bucketRow == row)
            }
            try db.execute(sql: "DELETE FROM events WHERE id = ? AND bucketrow = ?", arguments: [id, row])
            let deleted = db.changesCount > 0 || pending
            try self.storeEventIDHighWater(db)
            return deleted
        } onCommit: { deleted in
            guard deleted else { return }
            self.state.withLock { state in
                state.pendingRows[id] = nil
                if case .event(let last) = state.buckets[bucketID]?.lastEvent, last.id == id {
                    state.buckets[bucketID]!.lastEvent = .unknown
                }
            }
        }
        if !deleted { throw .eventNotFound(bucketID: bucketID, eventID: id) }
    }

    /// A bucket's events in id order after `afterID`, at most `limit`, unclipped.
    ///
    /// - Throws: `DatastoreError.bucketNotFound`, or a storage error.
    public func eventPage(bucketID: String, afterID: Int64?, limit: Int) async throws(DatastoreError) -> [Event] {
        let row = try state.withLock { state throws(DatastoreError) in try state.bucket(bucketID).row }
        return try await read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT id, starttime, endtime, data FROM events WHERE bucketrow = ? AND id > ? ORDER BY id LIMIT ?",
                arguments: [row, afterID ?? .min, max(0, limit)]
            ).map(Self.storedEvent)
        }
    }

    /// An event from a row of `id, starttime, endtime, data`, unclipped.
    static func storedEvent(_ row: Row) -> Event {
        let start: Int64 = row[1]
        let end: Int64 = row[2]
        let data = (try? JSON.parse(row[3] as String))?.objectValue ?? [:]
        return Event(id: row[0], timestamp: Timestamp(nanoseconds: start), durationNanoseconds: end - start, data: data)
    }

    /// Builds the SQL for a range read of one bucket.
    func rangeQuery(
        bucketID: String,
        start: Timestamp?,
        end: Timestamp?,
        limit: Int?,
        columns: String = "id, starttime, endtime, data",
        ordered: Bool = true
    ) throws(DatastoreError) -> RangeQuery {
        let (row, maximumDuration) = try state.withLock { state throws(DatastoreError) in
            let bucket = try state.bucket(bucketID)
            return (bucket.row, bucket.maximumDurationNanoseconds)
        }
        var sql = "SELECT \(columns) FROM events WHERE bucketrow = ?"
        var arguments: [any DatabaseValueConvertible] = [row]
        if let start {
            // An event overlapping `start` began at most `maximumDuration` before it: this bound
            // keeps the index scan short.
            sql += " AND starttime >= ? AND endtime >= ?"
            arguments += [start.nanoseconds &- maximumDuration, start.nanoseconds]
        }
        if let end {
            sql += " AND starttime <= ?"
            arguments.append(end.nanoseconds)
        }
        if ordered { sql += " ORDER BY starttime DESC, endtime ASC, id ASC" }
        if let limit {
            sql += " LIMIT ?"
            arguments.append(max(0, limit))
        }
        let window = EventWindow(start: start, end: end)
        return RangeQuery(
            sql: sql, arguments: StatementArguments(arguments), window: window, isEmpty: window.isEmpty(limit: limit))
    }
}

/// What `insertEvents` wrote.
struct InsertOutcome: Sendable {
    var events: [EncodedEvent]
    /// Ids of existing events that were replaced.
    var replacedIDs: [Int64]
    /// The time span the written events cover.
    var span: BucketMetadata
    var bucketRow: Int64
    var maximumDuration: Int64
}

/// A prepared range read: its SQL and how to clip its rows.
struct RangeQuery: Sendable {
    var sql: String
    var arguments: StatementArguments
    var window: EventWindow
    /// True when the range cannot contain anything (limit 0, or start after end).
    var isEmpty: Bool
}
