import AWCore

/// Merges a client's heartbeats in memory before they are sent, as aw-client does, but without
/// its delays: a new activity's first heartbeat is sent at once, continuations are merged and
/// sent when they have grown by `commit interval`, and `flush()` sends whatever is still only
/// in memory (on shutdown).
struct HeartbeatPremerger: Sendable {
    /// A heartbeat to send.
    struct Outgoing: Sendable, Equatable {
        var bucketID: String
        var event: Event
        var pulsetime: Double
    }

    private struct Pending: Sendable {
        /// The activity so far, merged.
        var merged: Event
        /// How far the server has been told.
        var reportedEnd: Timestamp
        var pulsetime: Double
    }

    private var pending: [String: Pending] = [:]

    /// Takes a heartbeat; returns what to send now.
    mutating func add(_ event: Event, bucketID: String, pulsetime: Double, commitInterval: Double) -> [Outgoing] {
        if var current = pending[bucketID] {
            let pulse = Int64(pulsetime * 1e9)
            if let merged = current.merged.merging(heartbeat: event, pulsetimeNanoseconds: pulse) {
                current.merged = merged
                current.pulsetime = pulsetime
                var outgoing: [Outgoing] = []
                if merged.end.nanoseconds(since: current.reportedEnd) >= Int64(commitInterval * 1e9) {
                    outgoing.append(Outgoing(bucketID: bucketID, event: merged, pulsetime: pulsetime))
                    current.reportedEnd = merged.end
                }
                pending[bucketID] = current
                return outgoing
            }
        }
        var outgoing = flush(bucketID: bucketID)
        outgoing.append(Outgoing(bucketID: bucketID, event: event, pulsetime: pulsetime))
        pending[bucketID] = Pending(merged: event, reportedEnd: event.end, pulsetime: pulsetime)
        return outgoing
    }

    /// The merged activity of `bucketID` not yet sent, if any.
    mutating func flush(bucketID: String) -> [Outgoing] {
        guard let current = pending[bucketID], current.merged.end > current.reportedEnd else { return [] }
        pending[bucketID]?.reportedEnd = current.merged.end
        return [Outgoing(bucketID: bucketID, event: current.merged, pulsetime: current.pulsetime)]
    }

    /// Everything not yet sent, for every bucket.
    mutating func flushAll() -> [Outgoing] {
        pending.keys.sorted().flatMap { flush(bucketID: $0) }
    }

    /// Forgets `bucketID` (it was deleted).
    mutating func forget(bucketID: String) {
        pending[bucketID] = nil
    }
}
