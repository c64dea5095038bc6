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
        return try await write { db in
            var batches = CollectionOfOne(events).makeIterator()
            return try self.storeEvents(bucketID: bucketID, db) { batches.next() }
        } onCommit: { outcome in
            self.applyCommitted(outcome, bucketID: bucketID)
        }.events
    }

    /// Stores events as `decode` reads them (see `insertEvents(_:bucketID:)`): the writer begins
    /// on the first batch while `decode` goes on reading, and all are committed together. When
    /// `decode` throws, the transaction is rolled back and its error returned.
    public func insertEvents(bucketID: String, decoding decode: (EventFeed) throws(EventDecodingError) -> Void)
        async throws(DatastoreError) -> Result<[EncodedEvent], EventDecodingError>
    {
        let feed = EventFeed()
        var fault: EventDecodingError?
        let written = await withCheckedContinuation { continuation in
            startWrite { db in
                try self.storeEvents(bucketID: bucketID, db) { try feed.next() }
            } onCommit: { outcome in
                self.applyCommitted(outcome, bucketID: bucketID)
            } completion: { result in
                continuation.resume(returning: result)
            }
            do throws(EventDecodingError) {
                try decode(feed)
            } catch {
                fault = error
            }
            feed.finish(failed: fault != nil)
        }
        if let fault { return .failure(fault) }
        return .success(try written.get().events)
    }

    /// Writes the batches `nextBatch` gives until it returns `nil`, as `insertEvents` describes,
    /// inside the caller's transaction.
    private func storeEvents(bucketID: String, _ db: Database, nextBatch: () throws -> [EncodedEvent]?) throws
        -> InsertOutcome
    {
        let (row, storedMaximum, pendingIDs) = try state.withLock { state throws(DatastoreError) in
            let bucket = try state.bucket(bucketID)
            let pending = Set(state.pendingRows.filter { $0.value.bucketRow == bucket.row }.keys)
            return (bucket.row, bucket.storedMaximumDurationNanoseconds, pending)
        }
        let owned = try db.cachedStatement(sql: "SELECT 1 FROM events WHERE id = ? AND bucketrow = ?")
        var stored: [EncodedEvent] = []
        var replacedIDs: [Int64] = []
        // Ids from here on were given out by this call: the bucket did not own them before it.
        var firstNewID: Int64?
        var maximum = storedMaximum
        var span = BucketMetadata()
        try EventRowWriter.writing(db, known: knownDataIDs, held: heldUses) { writer in
            while var batch = try nextBatch() {
                var replacing = 0
                for index in batch.indices {
                    if let id = batch[index].id, id < firstNewID ?? .max,
                        try pendingIDs.contains(id) || Bool.fetchOne(owned, arguments: [id, row]) == true
                    {
                        replacedIDs.append(id)
                        replacing += 1
                        continue
                    }
                    batch[index].id = nil
                }
                var nextID = self.state.withLock { $0.allocateEventIDs(batch.count - replacing) }
                if firstNewID == nil { firstNewID = nextID }
                for index in batch.indices {
                    if let id = batch[index].id {
                        try writer.write(batch[index], id: id, bucketRow: row, replacing: true)
                    } else {
                        batch[index].id = nextID
                        try writer.write(batch[index], id: nextID, bucketRow: row, replacing: false)
                        nextID += 1
                    }
                    maximum = max(maximum, batch[index].durationNanoseconds)
                    span = span.including(BucketMetadata(start: batch[index].timestamp, end: batch[index].end))
                }
                stored.append(contentsOf: batch)
            }
        }
        if maximum > storedMaximum {
            try db.execute(sql: "UPDATE buckets SET max_duration = ? WHERE id = ?", arguments: [maximum, row])
        }
        try storeEventIDHighWater(db)
        return InsertOutcome(
            events: stored, replacedIDs: replacedIDs, span: span, bucketRow: row, maximumDuration: maximum)
    }

    /// The in-memory side of a committed insert: the bucket's metadata and longest duration, and
    /// the pending heartbeats it replaced.
    private func applyCommitted(_ outcome: InsertOutcome, bucketID: String) {
        state.withLock { state in
            guard var bucket = state.buckets[bucketID], bucket.row == outcome.bucketRow else { return }
            bucket.bucket.metadata = bucket.bucket.metadata.including(outcome.span)
            bucket.maximumDurationNanoseconds = max(bucket.maximumDurationNanoseconds, outcome.maximumDuration)
            bucket.storedMaximumDurationNanoseconds = outcome.maximumDuration
            bucket.lastEvent = .unknown
            state.buckets[bucketID] = bucket
            for id in outcome.replacedIDs { state.pendingRows[id] = nil }
        }
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
        return try await events(range, slices: Self.readerThreads)
    }

    /// The events of `range`; a long range is cut into up to `slices` pieces by time, read at once
    /// on as many connections from one state of the database, and joined.
    func events(_ range: RangeQuery, slices count: Int) async throws(DatastoreError) -> [Event] {
        guard !range.isEmpty else { return [] }
        let reader = EventRowReader(eventData: eventData)
        let slices = range.slices(count, minimumSpan: Self.slicedReadSpan)
        if slices.count > 1, var pieces = try await readConsistently(slices, reader.events) {
            let wanted = min(pieces.reduce(0) { $0 + $1.count }, range.limit ?? .max)
            // The newest piece grows into the answer in place: its events are moved, not copied.
            var events = pieces.removeFirst()
            if events.count > wanted { events.removeLast(events.count - wanted) }
            events.reserveCapacity(wanted)
            for piece in pieces where events.count < wanted { events += piece.prefix(wanted - events.count) }
            return events
        }
        return try await read { db in try reader.events(db, range) }
    }

    /// How many reads a long range is split into, to run at once: one per core, at most four.
    static let readerThreads = min(4, ProcessInfo.processInfo.activeProcessorCount)

    /// The shortest time range worth splitting (shorter ones hold too few events to gain).
    static let slicedReadSpan: Int64 = 6 * 3600 * 1_000_000_000

    /// The same events as `events(bucketID:start:end:limit:)`, serialized as the JSON array the
    /// REST API returns and streamed in chunks (stored data is copied through without being
    /// re-parsed).
    ///
    /// - Throws: `DatastoreError.bucketNotFound` before anything is produced.
    public func eventsJSON(bucketID: String, start: Timestamp? = nil, end: Timestamp? = nil, limit: Int? = nil)
        throws(DatastoreError) -> JSONChunkStream
    {
        let range = try rangeQuery(bucketID: bucketID, start: start, end: end, limit: limit)
        let reader = EventRowReader(eventData: eventData)
        return JSONChunkStream.make(self) { sink in
            sink.writer.writeByte(UInt8(ascii: "["))
            if !range.isEmpty { try Self.writeEventRows(range, reader, to: sink) }
            sink.writer.writeByte(UInt8(ascii: "]"))
        }
    }

    /// Writes the rows of `range` as comma-separated event objects.
    static func writeEventRows(_ range: RangeQuery, _ reader: EventRowReader, to sink: ChunkSink) throws {
        try sink.withWriter { writer in
            var first = true
            try reader.forEachRow(sink.db, range) { id, start, end, data in
                if !first { writer.writeByte(UInt8(ascii: ",")) }
                first = false
                range.window.writeEvent(id: id, start: start, end: end, data: data, to: &writer)
                try sink.flushIfFull(&writer)
            }
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
        let reader = EventRowReader(eventData: eventData)
        return JSONChunkStream.make(self) { sink in
            sink.writer.writeRaw("{\"buckets\":{")
            for (index, bucket) in buckets.enumerated() {
                if index > 0 { sink.writer.writeByte(UInt8(ascii: ",")) }
                sink.writer.write(bucket.id)
                sink.writer.writeByte(UInt8(ascii: ":"))
                bucket.writeFields(to: &sink.writer)
                sink.writer.writeRaw(",\"events\":[")
                try Self.writeEventRows(ranges[index], reader, to: sink)
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
                db, sql: "SELECT \(Schema.storedEventColumns) WHERE events.id = ? AND bucketrow = ?",
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
            let dataID = try Int64.fetchOne(
                db, sql: "DELETE FROM events WHERE id = ? AND bucketrow = ? RETURNING data_id", arguments: [id, row])
            if let dataID {
                var dataIDs = EventDataIDs(known: self.knownDataIDs, held: self.heldUses)
                dataIDs.release(dataID)
                try dataIDs.storeUses(db)
            }
            let deleted = dataID != nil || pending
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
                sql: Self.eventPageSQL,
                arguments: [row, afterID ?? .min, max(0, limit)]
            ).map(Self.storedEvent)
        }
    }

    /// A page of a bucket's events in id order (arguments: bucket row, after id, limit). The `+`
    /// keeps SQLite from reading the whole bucket by its key and sorting it for every page: the id
    /// index gives the rows in order, and its entries hold the bucket row.
    static let eventPageSQL =
        "SELECT \(Schema.storedEventColumns) WHERE +bucketrow = ? AND events.id > ? ORDER BY events.id LIMIT ?"

    /// An event from a row of `Schema.storedEventColumns` (`id, starttime, endtime, text`), unclipped.
    static func storedEvent(_ row: Row) -> Event {
        let start: Int64 = row[1]
        let end: Int64 = row[2]
        let data = (try? JSON.parse(row[3] as String))?.objectValue ?? [:]
        return Event(id: row[0], timestamp: Timestamp(nanoseconds: start), durationNanoseconds: end - start, data: data)
    }

    /// The range read of one bucket's events that overlap `[start, end]`.
    func rangeQuery(
        bucketID: String,
        start: Timestamp?,
        end: Timestamp?,
        limit: Int?,
        columns: String = "id, starttime, endtime, data_id",
        ordered: Bool = true
    ) throws(DatastoreError) -> RangeQuery {
        let (row, maximumDuration) = try state.withLock { state throws(DatastoreError) in
            let bucket = try state.bucket(bucketID)
            return (bucket.row, bucket.maximumDurationNanoseconds)
        }
        let window = EventWindow(start: start, end: end)
        return RangeQuery(
            bucketRow: row,
            // An event overlapping `start` began at most `maximumDuration` before it: this bound
            // keeps the index scan short.
            earliestStart: start.map { $0.nanoseconds &- maximumDuration },
            latestStart: end?.nanoseconds,
            limit: limit,
            columns: columns,
            ordered: ordered,
            window: window,
            isEmpty: window.isEmpty(limit: limit)
        )
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

/// A prepared range read of one bucket: its SQL and how to clip its rows.
struct RangeQuery: Sendable {
    var bucketRow: Int64
    /// The earliest start time read (`nil`: from the first event).
    var earliestStart: Int64?
    /// The latest start time read (`nil`: to the last event).
    var latestStart: Int64?
    var limit: Int?
    var columns: String
    /// Whether rows come in the API's order (newest first, shorter first, then by id).
    var ordered: Bool
    var window: EventWindow
    /// True when the range cannot contain anything (limit 0, or start after end).
    var isEmpty: Bool

    var sql: String {
        var sql = "SELECT \(columns) FROM events WHERE bucketrow = ?"
        if earliestStart != nil { sql += " AND starttime >= ? AND endtime >= ?" }
        if latestStart != nil { sql += " AND starttime <= ?" }
        if ordered { sql += " ORDER BY starttime DESC, endtime ASC, id ASC" }
        if limit != nil { sql += " LIMIT ?" }
        return sql
    }

    var arguments: StatementArguments {
        var arguments: [any DatabaseValueConvertible] = [bucketRow]
        if let earliestStart { arguments += [earliestStart, window.start?.nanoseconds ?? .min] }
        if let latestStart { arguments.append(latestStart) }
        if let limit { arguments.append(max(0, limit)) }
        return StatementArguments(arguments)
    }

    /// The range cut by start time into at most `count` consecutive pieces of equal length, the
    /// newest first, when it spans at least `minimumSpan` nanoseconds; otherwise the range alone.
    /// The pieces' rows, joined in this order and cut at the limit, are the range's rows.
    func slices(_ count: Int, minimumSpan: Int64) -> [RangeQuery] {
        guard count > 1, let earliestStart, let latestStart else { return [self] }
        let (span, overflow) = latestStart.subtractingReportingOverflow(earliestStart)
        guard !overflow, span >= minimumSpan, span >= Int64(count) else { return [self] }
        let step = span / Int64(count)
        return (0..<count).reversed().map { index in
            var slice = self
            slice.earliestStart = earliestStart + step * Int64(index)
            if index < count - 1 { slice.latestStart = earliestStart + step * Int64(index + 1) - 1 }
            return slice
        }
    }
}
