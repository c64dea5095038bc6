import AWCore
import AWDatastore
import PostgresNIO

extension PostgresStore {
    public func insertEvents(_ events: [EncodedEvent], bucketID: String) async throws(DatastoreError)
        -> [EncodedEvent]
    {
        guard !events.isEmpty else {
            _ = try await bucketRow(bucketID)  // nothing to store, but the bucket must exist
            return []
        }
        return try await transaction { connection in
            // Locked for update at once: the bucket row is updated below, and taking a share lock
            // first would let two inserts into one bucket deadlock upgrading it.
            let (row, _) = try await Self.bucketRow(bucketID, lock: "FOR UPDATE", on: connection)
            var stored = events
            // An id naming an event of this bucket replaces it; any other id is dropped.
            for index in stored.indices {
                guard let id = stored[index].id else { continue }
                let event = stored[index]
                let replaced = try await connection.run(
                    """
                    UPDATE events SET starttime = \(event.timestamp.nanoseconds), endtime = \(event.end.nanoseconds),
                        data = \(String(decoding: event.dataJSON, as: UTF8.self))
                    WHERE id = \(id) AND bucketrow = \(row) RETURNING id
                    """
                ).all()
                if replaced.isEmpty { stored[index].id = nil }
            }
            let fresh = stored.indices.filter { stored[$0].id == nil }
            if !fresh.isEmpty {
                let ids = try await connection.run(
                    "SELECT nextval('events_id_seq') FROM generate_series(1, \(fresh.count))"
                ).decode(Int64.self).all()
                for (index, id) in zip(fresh, ids) { stored[index].id = id }
                let chosen = fresh.map { stored[$0] }
                try await connection.run(
                    """
                    INSERT INTO events (id, bucketrow, starttime, endtime, data)
                    SELECT u.id, \(row), u.starttime, u.endtime, u.data
                    FROM unnest(\(chosen.map { $0.id! }), \(chosen.map(\.timestamp.nanoseconds)),
                        \(chosen.map(\.end.nanoseconds)), \(chosen.map { String(decoding: $0.dataJSON, as: UTF8.self) }))
                        AS u(id, starttime, endtime, data)
                    """)
            }
            try await Self.recordInserted(stored.map(\.durationNanoseconds), bucketRow: row, on: connection)
            return stored
        }
    }

    public func events(bucketID: String, start: Timestamp?, end: Timestamp?, limit: Int?)
        async throws(DatastoreError) -> [Event]
    {
        let window = EventWindow(start: start, end: end)
        let (row, maximumDuration) = try await bucketRow(bucketID)
        if window.isEmpty(limit: limit) { return [] }
        return try await eventColumns(
            Self.rangeQuery(row: row, maximumDuration: maximumDuration, window: window, limit: limit)
        ).events(clippedTo: window, dataCache: dataCache)
    }

    /// The events a query of `id, starttime, endtime, data` (further columns are ignored) reads.
    func eventColumns(_ query: PostgresQuery) async throws(DatastoreError) -> EventColumns {
        try await perform { connection in try await Self.eventColumns(query, on: connection) }
    }

    /// The events a query of `id, starttime, endtime, data` reads, fetched on `connection` as one
    /// row of four arrays: rows one by one cost the client far more than the database. The arrays
    /// keep the order of the query, which nothing in between could change.
    static func eventColumns(_ rows: PostgresQuery, on connection: PostgresConnection) async throws -> EventColumns {
        var query = rows
        query.sql =
            "SELECT array_agg(id), array_agg(starttime), array_agg(endtime), array_agg(data) FROM (\(rows.sql)) r"
        let columns = try await connection.run(query).decode(([Int64]?, [Int64]?, [Int64]?, [String]?).self)
            .first { _ in true }
        guard let (ids, starts, ends, data) = columns, let ids, let starts, let ends, let data,
            ids.count == starts.count, ids.count == ends.count, ids.count == data.count
        else { return EventColumns() }
        return EventColumns(ids: ids, starts: starts, ends: ends, data: data)
    }

    public func eventCount(bucketID: String, start: Timestamp?, end: Timestamp?) async throws(DatastoreError) -> Int {
        let window = EventWindow(start: start, end: end)
        let (row, maximumDuration) = try await bucketRow(bucketID)
        if window.isEmpty(limit: nil) { return 0 }
        let query = Self.rangeQuery(
            row: row, maximumDuration: maximumDuration, window: window, limit: nil, columns: "COUNT(*)", ordered: false)
        return try await perform { connection in
            try await connection.run(query).decode(Int64.self).first { _ in true }.map(Int.init) ?? 0
        }
    }

    /// A range read of one bucket, as the SQLite store does it: an event overlapping `start`
    /// began at most the bucket's longest duration before it, which keeps the index scan short.
    /// `after` continues a read in pages: only events after that one in the read's order
    /// (newest first; ties shorter first, then by id).
    static func rangeQuery(
        row: Int64, maximumDuration: Int64, window: EventWindow, limit: Int?, after: EventColumns.Position? = nil,
        columns: String = "id, starttime, endtime, data", ordered: Bool = true
    ) -> PostgresQuery {
        var sql = "SELECT \(columns) FROM events WHERE bucketrow = $1"
        var binds = PostgresBindings()
        binds.append(row)
        if let start = window.start {
            binds.append(start.nanoseconds &- maximumDuration)
            binds.append(start.nanoseconds)
            sql += " AND starttime >= $\(binds.count - 1) AND endtime >= $\(binds.count)"
        }
        if let end = window.end {
            binds.append(end.nanoseconds)
            sql += " AND starttime <= $\(binds.count)"
        }
        if let after {
            binds.append(after.start)
            binds.append(after.end)
            binds.append(after.id)
            let (start, end, id) = (binds.count - 2, binds.count - 1, binds.count)
            sql += """
                 AND starttime <= $\(start) AND (starttime < $\(start) OR (starttime = $\(start)
                    AND (endtime > $\(end) OR (endtime = $\(end) AND id > $\(id)))))
                """
        }
        if ordered { sql += " ORDER BY starttime DESC, endtime ASC, id ASC" }
        if let limit {
            binds.append(Int64(max(0, limit)))
            sql += " LIMIT $\(binds.count)"
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    public func event(id: Int64, bucketID: String) async throws(DatastoreError) -> Event {
        let (row, _) = try await bucketRow(bucketID)
        let found = try await eventColumns(
            "SELECT id, starttime, endtime, data FROM events WHERE id = \(id) AND bucketrow = \(row)"
        ).events(dataCache: dataCache).first
        guard let found else { throw .eventNotFound(bucketID: bucketID, eventID: id) }
        return found
    }

    public func deleteEvent(id: Int64, bucketID: String) async throws(DatastoreError) {
        let (row, _) = try await bucketRow(bucketID)
        let deleted = try await perform { connection in
            try await connection.run("DELETE FROM events WHERE id = \(id) AND bucketrow = \(row) RETURNING id")
                .all().count == 1
        }
        guard deleted else { throw .eventNotFound(bucketID: bucketID, eventID: id) }
    }

    public func eventPage(bucketID: String, afterID: Int64?, limit: Int) async throws(DatastoreError) -> [Event] {
        let (row, _) = try await bucketRow(bucketID)
        let after = afterID ?? .min
        return try await eventColumns(
            """
            SELECT id, starttime, endtime, data FROM events WHERE bucketrow = \(row) AND id > \(after)
            ORDER BY id LIMIT \(Int64(max(0, limit)))
            """
        ).events(dataCache: dataCache)
    }

}

/// A page of stored events as columns, in the order of the read.
struct EventColumns: Sendable {
    /// Where a page ends: the next page starts after this event.
    struct Position: Sendable {
        var start: Int64
        var end: Int64
        var id: Int64
    }

    var ids: [Int64] = []
    var starts: [Int64] = []
    var ends: [Int64] = []
    var data: [String] = []

    var count: Int { ids.count }
    var last: Position? { ids.isEmpty ? nil : Position(start: starts.last!, end: ends.last!, id: ids.last!) }

    /// The events, clipped to `window`; data texts `dataCache` has seen are not parsed again.
    func events(clippedTo window: EventWindow = EventWindow(start: nil, end: nil), dataCache: EventDataCache)
        -> [Event]
    {
        (0..<count).map { index in
            var text = data[index]
            let (timestamp, duration) = window.clip(start: starts[index], end: ends[index])
            return Event(
                id: ids[index], timestamp: timestamp, durationNanoseconds: duration,
                data: text.withUTF8 { dataCache.data($0) })
        }
    }
}

extension PostgresStore {
    // MARK: Heartbeats and imports

    /// Records a heartbeat in one transaction that holds the bucket's row, so heartbeats for a
    /// bucket are merged one after another even when several servers receive them.
    public func heartbeat(_ event: Event, bucketID: String, pulsetime: Double) async throws(DatastoreError) -> Event {
        let pulsetimeNanoseconds = Self.pulsetimeNanoseconds(pulsetime)
        var heartbeat = event
        heartbeat.id = nil
        let incoming = heartbeat
        return try await transaction { connection in
            let (row, _) = try await Self.bucketRow(bucketID, lock: "FOR UPDATE", on: connection)
            // The event the last heartbeat went to, if it still exists; else the newest event.
            let last = try await Self.eventColumns(
                """
                (SELECT e.id, e.starttime, e.endtime, e.data, 0 AS rank FROM events e JOIN buckets b
                    ON e.id = b.last_heartbeat AND e.bucketrow = b.id WHERE b.id = \(row))
                UNION ALL
                (SELECT id, starttime, endtime, data, 1 FROM events WHERE bucketrow = \(row)
                    ORDER BY starttime DESC, endtime ASC, id ASC LIMIT 1)
                ORDER BY rank LIMIT 1
                """, on: connection
            ).events(dataCache: self.dataCache).first
            // The event is written and the bucket row updated in one statement.
            if let last,
                let merged = last.merging(heartbeat: incoming, pulsetimeNanoseconds: pulsetimeNanoseconds)
            {
                try await connection.run(
                    """
                    WITH changed AS (UPDATE events SET starttime = \(merged.timestamp.nanoseconds),
                        endtime = \(merged.end.nanoseconds) WHERE id = \(merged.id!))
                    UPDATE buckets SET max_duration = GREATEST(max_duration, \(merged.durationNanoseconds)),
                        last_heartbeat = \(merged.id!) WHERE id = \(row)
                    """)
                return merged
            }
            var result = incoming
            result.id = try await connection.run(
                """
                WITH inserted AS (INSERT INTO events (bucketrow, starttime, endtime, data)
                    VALUES (\(row), \(incoming.timestamp.nanoseconds), \(incoming.end.nanoseconds),
                        \(JSON.object(incoming.data).serialized()))
                    RETURNING id)
                UPDATE buckets SET max_duration = GREATEST(max_duration, \(incoming.durationNanoseconds)),
                    last_heartbeat = (SELECT id FROM inserted) WHERE id = \(row)
                RETURNING last_heartbeat
                """
            ).decode(Int64.self).first { _ in true }
            return result
        }
    }

    /// Imports a bucket in one transaction: creates it if needed and adds the events it does not
    /// have (same start, end and data), in batches of `importBatchSize` statements' worth.
    public func importBucket(_ bucket: Bucket, events: [Event]) async throws(DatastoreError) -> BucketImportResult {
        let result = try await transaction { connection in
            let inserted = try await connection.run(Self.insertBucket(bucket)).all()
            let (row, _) = try await Self.bucketRow(bucket.id, lock: "FOR UPDATE", on: connection)
            var added = 0
            for start in stride(from: 0, to: events.count, by: Self.importBatchSize) {
                let batch = events[start..<min(events.count, start + Self.importBatchSize)]
                // Checked against what was stored before this statement, as the SQLite store does.
                added += try await connection.run(
                    """
                    INSERT INTO events (bucketrow, starttime, endtime, data)
                    SELECT \(row), u.starttime, u.endtime, u.data
                    FROM unnest(\(batch.map(\.timestamp.nanoseconds)), \(batch.map(\.end.nanoseconds)),
                        \(batch.map { JSON.object($0.data).serialized() })) WITH ORDINALITY AS u(starttime, endtime, data, n)
                    WHERE NOT EXISTS (SELECT 1 FROM events x WHERE x.bucketrow = \(row)
                        AND x.starttime = u.starttime AND x.endtime = u.endtime AND x.data = u.data)
                    ORDER BY u.n
                    RETURNING id
                    """
                ).all().count
            }
            if added > 0 {
                try await Self.recordInserted(events.map(\.durationNanoseconds), bucketRow: row, on: connection)
            }
            return BucketImportResult(
                bucketID: bucket.id, created: !inserted.isEmpty, inserted: added, skipped: events.count - added)
        }
        logger.debug(
            "imported bucket",
            metadata: [
                "bucket.id": "\(bucket.id)", "events.inserted": "\(result.inserted)",
                "events.skipped": "\(result.skipped)",
            ])
        return result
    }

    /// Records in the bucket's row what inserted events change: the longest duration (which
    /// bounds range reads), and the event the next heartbeat continues (the newest again, as an
    /// inserted event may be newer than the last heartbeat's).
    static func recordInserted(_ durations: [Int64], bucketRow row: Int64, on connection: PostgresConnection)
        async throws
    {
        let longest = durations.max() ?? 0
        try await connection.run(
            """
            UPDATE buckets SET max_duration = GREATEST(max_duration, \(longest)), last_heartbeat = NULL
            WHERE id = \(row)
            """)
    }

    /// Events per import statement.
    static var importBatchSize: Int { 10_000 }
}
