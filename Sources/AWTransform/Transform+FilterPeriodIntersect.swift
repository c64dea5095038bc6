import AWCore

extension Transform {
    /// The parts of `events` that lie within the time covered by `filters`, as aw-server-rust
    /// computes them: each piece keeps its event's id and data; an event overlapping several
    /// filters yields one piece per filter; time covered by overlapping filters is counted once
    /// (the event is consumed as pieces are cut from it). Zero-duration events, and events or
    /// filters that only touch, produce nothing.
    ///
    /// - Returns: The pieces in start order.
    public static func filterPeriodIntersect(_ events: [Event], filters: [Event]) -> [Event] {
        guard !events.isEmpty, !filters.isEmpty else { return [] }
        let filters = sortByTimestamp(filters)
        // Events as a bucket is read (newest first) are walked backwards rather than copied.
        switch order(of: events, by: startsEarlier) {
        case .sorted: return intersect(events, filters)
        case .reversed: return intersect(events.reversed(), filters)
        case .neither: return intersect(sortByTimestamp(events), filters)
        }
    }

    /// `filterPeriodIntersect` of events and filters in start order.
    private static func intersect(_ events: some RandomAccessCollection<Event>, _ filters: [Event]) -> [Event] {
        var result: [Event] = []
        var eventIndex = events.startIndex
        var filterIndex = 0
        var current = events[eventIndex]
        while eventIndex != events.endIndex && filterIndex < filters.count {
            let filter = filters[filterIndex]
            if current.durationNanoseconds <= 0 || current.end <= filter.timestamp {
                eventIndex = events.index(after: eventIndex)
                if eventIndex != events.endIndex { current = events[eventIndex] }
            } else if current.timestamp >= filter.end {
                filterIndex += 1
            } else {
                var piece = current
                piece.timestamp = max(current.timestamp, filter.timestamp)
                piece.end = min(current.end, filter.end)
                if piece.durationNanoseconds > 0 { result.append(piece) }
                let end = current.end
                current.timestamp = piece.end  // the rest of the event, after this piece
                current.end = end
            }
        }
        return result
    }
}
