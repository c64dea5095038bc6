import AWCore

extension Transform {
    /// Fills the small gaps between events, as aw-server-rust's `flood`: sorted by start, a gap
    /// shorter than `pulsetime` between events with equal data is merged into one event; between
    /// events with different data, each side takes half of it ("meet in the middle"). Overlapping
    /// events with equal data merge as well; overlapping events with different data stay as they
    /// are. A merged event keeps the earlier event's id and data and covers both.
    ///
    /// - Parameters:
    ///   - events: Events in any order.
    ///   - pulsetimeNanoseconds: Gaps strictly shorter than this are filled (default 5 s).
    /// - Returns: The flooded events, in start order.
    public static func flood(_ events: [Event], pulsetimeNanoseconds: Int64 = 5_000_000_000) -> [Event] {
        let sorted = sortByTimestamp(events)
        var result: [Event] = []
        result.reserveCapacity(sorted.count)
        var pendingGap: Int64?
        var index = 0
        while index < sorted.count {
            var current = sorted[index]
            index += 1
            if let gap = pendingGap {
                current.timestamp = current.timestamp.advanced(byNanoseconds: -gap / 2)
                current.durationNanoseconds += gap / 2
                pendingGap = nil
            }
            while index < sorted.count {
                let next = sorted[index]
                let gap = next.timestamp.nanoseconds(since: current.end)
                guard gap < pulsetimeNanoseconds else { break }
                if current.data == next.data {
                    current.end = max(current.end, next.end)
                    index += 1
                    continue  // the merged event may reach the one after, too
                }
                if gap >= 0 {
                    current.durationNanoseconds += gap / 2
                    pendingGap = gap
                }
                break
            }
            result.append(current)
        }
        return result
    }
}
