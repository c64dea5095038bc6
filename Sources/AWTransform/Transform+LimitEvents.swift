import AWCore

extension Transform {
    /// The first `count` events (none for a negative count).
    public static func limitEvents(_ events: [Event], count: Int) -> [Event] {
        Array(events.prefix(max(0, count)))
    }
}
