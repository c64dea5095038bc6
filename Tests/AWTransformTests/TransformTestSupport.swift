import AWCore

/// Short-hand for events at whole or fractional seconds after 2000-01-01T00:00:00Z.
enum T {
    static let base = Timestamp(nanoseconds: 946_684_800 * 1_000_000_000)

    static func at(_ seconds: Double) -> Timestamp { base.advanced(byNanoseconds: Int64((seconds * 1e9).rounded())) }

    static func e(_ start: Double, _ duration: Double, _ data: [String: JSON] = [:], id: Int64? = nil) -> Event {
        Event(id: id, timestamp: at(start), durationNanoseconds: Int64((duration * 1e9).rounded()), data: data)
    }

    /// (start, duration) of each event in seconds, for compact assertions.
    static func spans(_ events: [Event]) -> [[Double]] {
        events.map { [Double($0.timestamp.nanoseconds(since: base)) / 1e9, Double($0.durationNanoseconds) / 1e9] }
    }
}
