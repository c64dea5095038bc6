import AWCore

extension Transform {
    /// Events by duration, longest first; events of equal duration keep their order.
    public static func sortByDuration(_ events: [Event]) -> [Event] {
        stableSorted(events) { $0.durationNanoseconds > $1.durationNanoseconds }
    }
}
