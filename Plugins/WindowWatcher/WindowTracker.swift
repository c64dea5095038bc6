import AWCore
import AWWatcherKit

/// Turns successive samples of the active window into heartbeats that tile time without gaps.
///
/// When the window changes, the previous window's event is first extended to the moment of the
/// change, then the new window's event starts there, so consecutive events meet exactly instead
/// of leaving a poll's worth of unrecorded time at every switch. While the window stays the
/// same, its event is extended at most every `repeatInterval` (as aw-client pre-merges
/// heartbeats before sending them) and once more by `finish(at:)` when watching stops.
struct WindowTracker {
    /// How often an unchanged window's event is extended on the server.
    static let repeatInterval: Int64 = 5_000_000_000

    /// The pulsetime sent with every heartbeat.
    let pulsetime: Double
    /// The data last reported; `nil` when nothing is being recorded (start, or a dropped window).
    private(set) var current: [String: JSON]?
    /// How far the current window's event has been reported.
    private var reportedUntil: Timestamp?

    init(pulsetime: Double) {
        self.pulsetime = pulsetime
    }

    /// The heartbeats for a sample taken at `time`; `nil` data means "record nothing now"
    /// (a window a privacy rule drops). The first heartbeat after nothing was recorded never
    /// merges into an earlier event, so a dropped window's time is not counted for anyone.
    mutating func observe(_ data: [String: JSON]?, at time: Timestamp) -> [Heartbeat] {
        var heartbeats: [Heartbeat] = []
        if current == data, data != nil {
            guard let reportedUntil, time.nanoseconds(since: reportedUntil) >= Self.repeatInterval else { return [] }
            return finish(at: time)
        }
        heartbeats += finish(at: time)  // the old window's event ends where the new one begins
        if let data {
            // After a stretch with nothing recorded (a dropped window, or the start), a pulsetime
            // of 0 keeps this heartbeat from being merged across that stretch into an older event.
            let merge = current == nil ? 0 : pulsetime
            heartbeats.append(Heartbeat(event: Event(timestamp: time, data: data), pulsetime: merge))
            reportedUntil = time
        } else {
            reportedUntil = nil
        }
        current = data
        return heartbeats
    }

    /// The heartbeat that extends the current window's event to `time` (none when nothing is
    /// being recorded or it is reported that far already).
    mutating func finish(at time: Timestamp) -> [Heartbeat] {
        guard let current, let start = reportedUntil, time > start else { return [] }
        reportedUntil = time
        let event = Event(timestamp: start, durationNanoseconds: time.nanoseconds(since: start), data: current)
        return [Heartbeat(event: event, pulsetime: pulsetime)]
    }
}
