import AWCore

extension Transform {
    /// Merges a heartbeat into the last event of a bucket, if it continues it.
    ///
    /// The merge succeeds only when the data are equal, the heartbeat does not start before
    /// `last`, and it starts no later than `pulsetime` after `last` ends. The merged event keeps
    /// `last`'s id, start and data and ends at the later of the two ends, so a heartbeat never
    /// shortens an event.
    ///
    /// - Parameters:
    ///   - last: The bucket's newest event.
    ///   - heartbeat: The incoming heartbeat.
    ///   - pulsetimeNanoseconds: How long after `last` ends a heartbeat may still continue it.
    /// - Returns: The merged event, or `nil` when the heartbeat starts a new event.
    public static func heartbeat(last: Event, _ heartbeat: Event, pulsetimeNanoseconds: Int64) -> Event? {
        guard last.timestamp <= heartbeat.timestamp,
            heartbeat.timestamp <= last.end.advanced(byNanoseconds: pulsetimeNanoseconds),
            heartbeat.data == last.data
        else { return nil }
        var merged = last
        merged.end = max(last.end, heartbeat.end)
        return merged
    }
}
