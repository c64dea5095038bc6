import AWCore

extension Transform {
    /// Events by start time, earliest first; events with equal starts keep their order.
    public static func sortByTimestamp(_ events: [Event]) -> [Event] {
        stableSorted(events, by: startsEarlier)
    }

    static func startsEarlier(_ lhs: Event, _ rhs: Event) -> Bool { lhs.timestamp < rhs.timestamp }

    /// `events` sorted by `areInIncreasingOrder`, ties kept in input order.
    static func stableSorted(_ events: [Event], by areInIncreasingOrder: (Event, Event) -> Bool) -> [Event] {
        switch order(of: events, by: areInIncreasingOrder) {
        case .sorted: return events
        // Strictly the other way round (events read newest first): reversing is the stable sort.
        case .reversed: return events.reversed()
        case .neither:
            return events.enumerated()
                .sorted { lhs, rhs in
                    if areInIncreasingOrder(lhs.element, rhs.element) { return true }
                    if areInIncreasingOrder(rhs.element, lhs.element) { return false }
                    return lhs.offset < rhs.offset
                }
                .map(\.element)
        }
    }

    /// How `events` stand in the order of `areInIncreasingOrder`.
    enum Order {
        /// In order (ties allowed).
        case sorted
        /// Strictly against the order, so reversed they are sorted, ties and all.
        case reversed
        case neither
    }

    /// Whether `events` are already in the order, or exactly the other way round.
    static func order(of events: [Event], by areInIncreasingOrder: (Event, Event) -> Bool) -> Order {
        if zip(events, events.dropFirst()).allSatisfy({ !areInIncreasingOrder($1, $0) }) { return .sorted }
        if zip(events, events.dropFirst()).allSatisfy({ areInIncreasingOrder($1, $0) }) { return .reversed }
        return .neither
    }
}
