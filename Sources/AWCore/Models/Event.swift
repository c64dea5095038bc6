/// One recorded activity: something that started at `timestamp`, lasted `duration` and is
/// described by `data` (for a window watcher `{"app": ..., "title": ...}`).
///
/// Time is kept in nanoseconds end to end. `id` is the stored event's id, `nil` for an event
/// that has not been stored.
public struct Event: Sendable, Hashable {
    /// The stored id, unique across all buckets; `nil` before the event is stored.
    public var id: Int64?
    /// When the activity started.
    public var timestamp: Timestamp
    /// How long it lasted, in nanoseconds (never negative in stored events).
    public var durationNanoseconds: Int64
    /// What the activity was; any JSON object.
    public var data: [String: JSON]

    /// Creates an event.
    ///
    /// - Parameters:
    ///   - id: The stored id, if the event is already stored.
    ///   - timestamp: When the activity started.
    ///   - durationNanoseconds: How long it lasted.
    ///   - data: What it was.
    public init(id: Int64? = nil, timestamp: Timestamp, durationNanoseconds: Int64 = 0, data: [String: JSON] = [:]) {
        self.id = id
        self.timestamp = timestamp
        self.durationNanoseconds = durationNanoseconds
        self.data = data
    }

    /// Creates an event whose duration is given as a `Duration`.
    public init(id: Int64? = nil, timestamp: Timestamp, duration: Duration, data: [String: JSON] = [:]) {
        self.init(id: id, timestamp: timestamp, durationNanoseconds: duration.nanosecondCount, data: data)
    }

    /// How long the activity lasted.
    public var duration: Duration {
        get { .nanoseconds(durationNanoseconds) }
        set { durationNanoseconds = newValue.nanosecondCount }
    }

    /// The duration in (fractional) seconds, as ActivityWatch's JSON carries it.
    public var durationSeconds: Double { Double(durationNanoseconds) / 1e9 }

    /// When the activity ended: `timestamp + duration`.
    public var end: Timestamp {
        get { timestamp.advanced(byNanoseconds: durationNanoseconds) }
        set { durationNanoseconds = newValue.nanoseconds(since: timestamp) }
    }
}

extension Duration {
    /// The duration in whole nanoseconds (rounded towards zero, saturating at the Int64 range).
    public var nanosecondCount: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow || overflow2 { return seconds < 0 ? .min : .max }
        return total
    }
}
