/// The idle time known from a compositor's idle notifications, which say only "idle" (`threshold`
/// after the last input) and "resumed" (at the first input after that).
///
/// From those the last input is known exactly at "idle" (`threshold` before it) and at "resumed"
/// (then); in between, while no "idle" has come, it lies within the last `threshold`, so the
/// watcher takes the latest moment it is sure of: `threshold` ago, or the "resumed", whichever is
/// later. The AFK state machine thus gets the same samples it gets from an X server, never records
/// activity after the last input, and dates going away at the last input and coming back at the
/// first, the same as on X11.
struct IdleNotices {
    /// The notification threshold, in nanoseconds.
    let thresholdNanoseconds: Int64
    /// When "idle" came (monotonic nanoseconds); `nil` while you are active.
    private(set) var idleSince: Int64?
    /// When "resumed" last came, or the last input when known otherwise.
    private(set) var resumedAt: Int64

    /// Notices with the threshold `thresholdMilliseconds`, starting as if input came `now`.
    init(thresholdMilliseconds: UInt32, now: Int64) {
        thresholdNanoseconds = Int64(thresholdMilliseconds) * 1_000_000
        resumedAt = now
    }

    /// "Idle" came at `now`.
    mutating func idled(at now: Int64) {
        idleSince = now
    }

    /// "Resumed" (input) came at `now`.
    mutating func resumed(at now: Int64) {
        idleSince = nil
        resumedAt = now
    }

    /// The idle time at `now`, in milliseconds.
    func idleMilliseconds(at now: Int64) -> Int64 {
        let idle =
            idleSince.map { max(0, now - $0) + thresholdNanoseconds }
            ?? max(0, min(now - resumedAt, thresholdNanoseconds))
        return idle / 1_000_000
    }
}
