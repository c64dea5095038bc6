import AWCore

extension Transform {
    /// Events by start time, earliest first; events with equal starts keep their order.
    public static func sortByTimestamp(_ events: [Event]) -> [Event] {
        stableSorted(events) { $0.timestamp < $1.timestamp }
    }

    /// `events` sorted by `areInIncreasingOrder`, ties kept in input order.
    static func stableSorted(_ events: [Event], by areInIncreasingOrder: (Event, Event) -> Bool) -> [Event] {
        if zip(events, events.dropFirst()).allSatisfy({ !areInIncreasingOrder($1, $0) }) { return events }
        // Strictly the other way round (events read newest first): reversing is the stable sort.
        if zip(events, events.dropFirst()).allSatisfy({ areInIncreasingOrder($1, $0) }) { return events.reversed() }
        return events.enumerated()
            .sorted { lhs, rhs in
                if areInIncreasingOrder(lhs.element, rhs.element) { return true }
                if areInIncreasingOrder(rhs.element, lhs.element) { return false }
                return lhs.offset < rhs.offset
            }
            .map(\.element)
    }
}
