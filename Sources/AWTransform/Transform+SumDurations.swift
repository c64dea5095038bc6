import AWCore

extension Transform {
    /// The total duration in seconds, summed exactly and then truncated to whole milliseconds
    /// (as aw-server-rust reports it: 1.2345 s becomes 1.234).
    public static func sumDurations(_ events: [Event]) -> Double {
        let total = events.reduce(Int64(0)) { $0 &+ $1.durationNanoseconds }
        return Double(total / 1_000_000) / 1000
    }
}
