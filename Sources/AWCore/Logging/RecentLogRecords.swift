import Synchronization

/// The most recent log records, kept in memory so the server can show its own log
/// (`GET /api/0/log`) without reading files.
public final class RecentLogRecords: Sendable {
    private struct Ring {
        var records: [LogRecord] = []
        var next = 0
    }

    /// How many records are kept; older ones are dropped.
    public let capacity: Int
    private let ring = Mutex(Ring())

    /// Creates a buffer keeping the last `capacity` records.
    public init(capacity: Int = 1000) {
        self.capacity = max(1, capacity)
    }

    /// Adds a record, dropping the oldest when full.
    public func append(_ record: LogRecord) {
        ring.withLock { ring in
            if ring.records.count < capacity {
                ring.records.append(record)
            } else {
                ring.records[ring.next] = record
            }
            ring.next = (ring.next + 1) % capacity
        }
    }

    /// The kept records, newest first, at most `limit` of them.
    public func newestFirst(limit: Int? = nil) -> [LogRecord] {
        ring.withLock { ring in
            let ordered: [LogRecord]
            if ring.records.count < capacity {
                ordered = ring.records
            } else {
                ordered = Array(ring.records[ring.next...] + ring.records[..<ring.next])
            }
            return Array(ordered.reversed().prefix(limit ?? ordered.count))
        }
    }
}
