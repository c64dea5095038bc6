extension Event {
    /// This event continued by a heartbeat, or `nil` when the heartbeat starts a new event: the
    /// heartbeat merge of ActivityWatch, which the server applies to each bucket's last event and
    /// clients apply before sending.
    ///
    /// The merge succeeds only when the data are equal, the heartbeat does not start before this
    /// event, and it starts no later than `pulsetimeNanoseconds` after this event ends. The
    /// merged event keeps this event's id, start and data and ends at the later of the two ends,
    /// so a heartbeat never shortens an event.
    ///
    /// - Parameters:
    ///   - heartbeat: The incoming heartbeat.
    ///   - pulsetimeNanoseconds: How long after this event ends a heartbeat may still continue it.
    public func merging(heartbeat: Event, pulsetimeNanoseconds: Int64) -> Event? {
        guard timestamp <= heartbeat.timestamp,
            heartbeat.timestamp <= end.advanced(byNanoseconds: pulsetimeNanoseconds),
            heartbeat.data == data
        else { return nil }
        var merged = self
        merged.end = Swift.max(end, heartbeat.end)
        return merged
    }
}
