import AWCore
import AWWatcherKit

/// Decides AFK heartbeats from samples of the idle time, with aw-watcher-afk's events:
/// `{"status": "not-afk"}` while you use the computer and `{"status": "afk"}` once you have been
/// idle for `timeout`, each backdated to the last input (an away event starts at the last input
/// plus 1 ms, so the two events of a change never share a start).
///
/// Two sources of "away" besides idle time: an active screen saver, and a wall-clock jump longer
/// than the poll interval that the monotonic clock did not see (the computer was suspended): the
/// time asleep counts as away, not as activity.
struct AFKStateMachine {
    /// What the X server says at one poll.
    struct Sample: Equatable {
        var clock: PollClockValue
        /// Milliseconds since the last keyboard or mouse input (the X server's idle counter).
        var idleMilliseconds: Int64
        /// Whether the screen saver is active.
        var screenSaverActive: Bool
    }

    /// The two clocks of a poll (copied so the machine stays independent of the X layer).
    struct PollClockValue: Equatable {
        var wall: Timestamp
        var monotonicNanoseconds: Int64
    }

    /// Differences in the computed last-input time below this are measurement noise.
    static let inputJitterNanoseconds: Int64 = 50_000_000
    /// How often to sample while you are away. The idle time tells only when the latest input
    /// was, so the first input after an absence is known to within one sample: sampling often
    /// while away puts the return edge within half a second of it.
    static let awaySamplingNanoseconds: Int64 = 500_000_000

    let timeoutNanoseconds: Int64
    let pollNanoseconds: Int64
    let pulsetime: Double
    private(set) var isAFK = false
    /// When the last heartbeat went out: unchanged states repeat it only once per poll time.
    private var lastSent: Timestamp?
    /// The latest heartbeat held back by that rule, for `finish()`.
    private var withheld: [Heartbeat] = []
    private var previous: (clock: PollClockValue, lastInput: Timestamp)?
    /// Where the current state's event starts.
    private var stateStart: Timestamp?

    init(timeout: Double, poll: Double, pulsetime: Double) {
        timeoutNanoseconds = Int64(timeout * 1e9)
        pollNanoseconds = Int64(poll * 1e9)
        self.pulsetime = pulsetime
    }

    /// Time until the next sample: the poll time while you are active, half a second while away.
    var sampleIntervalNanoseconds: Int64 {
        isAFK ? min(pollNanoseconds, Self.awaySamplingNanoseconds) : pollNanoseconds
    }

    /// The heartbeats for one sample: two at each change of state, else at most one per poll time.
    mutating func observe(_ sample: Sample) -> [Heartbeat] {
        let now = sample.clock.wall
        var idle = sample.idleMilliseconds * 1_000_000
        var heartbeats: [Heartbeat] = []
        if let previous {
            let wallElapsed = now.nanoseconds(since: previous.clock.wall)
            let awakeElapsed = sample.clock.monotonicNanoseconds - previous.clock.monotonicNanoseconds
            let asleep = wallElapsed - awakeElapsed
            if asleep > pollNanoseconds {
                if idle >= awakeElapsed {
                    // No input since before the suspend: the X server's idle time leaves out the
                    // time asleep, so add it back.
                    idle += asleep
                } else {
                    // Input since the resume: the time asleep (from the last input before it) is away.
                    heartbeats += transition(
                        toAFK: true, lastInput: previous.lastInput,
                        now: previous.clock.wall.advanced(byNanoseconds: asleep))
                }
            }
        }
        var lastInput = now.advanced(byNanoseconds: -idle)
        if let previous, abs(lastInput.nanoseconds(since: previous.lastInput)) < Self.inputJitterNanoseconds {
            // The same input seen again: the idle counter's millisecond steps and the time a poll
            // takes make `now - idle` wobble; keep the timestamp stable so heartbeats merge.
            lastInput = previous.lastInput
        }
        let away = idle >= timeoutNanoseconds || sample.screenSaverActive
        heartbeats += transition(toAFK: away, lastInput: lastInput, now: now)
        previous = (sample.clock, lastInput)
        if heartbeats.count == 1, let lastSent,
            now.nanoseconds(since: lastSent) < pollNanoseconds - Self.inputJitterNanoseconds
        {
            withheld = heartbeats  // unchanged, and sampled sooner than the poll time: tell later
            return []
        }
        lastSent = now
        withheld = []
        return heartbeats
    }

    /// The heartbeat held back since the last one sent, when watching stops.
    mutating func finish() -> [Heartbeat] {
        defer { withheld = [] }
        return withheld
    }

    /// The heartbeats for being in state `afk` at `now`, having last had input at `lastInput`.
    ///
    /// An edge between states lies at the last input, but never before the start of the current
    /// state's event: after coming back without touching anything since, the input that brought
    /// you back is still the last one, and the active event began just after it.
    private mutating func transition(toAFK afk: Bool, lastInput: Timestamp, now: Timestamp) -> [Heartbeat] {
        let edge = max(lastInput, stateStart ?? lastInput)
        let next = edge.advanced(byNanoseconds: 1_000_000)
        defer { isAFK = afk }
        switch (isAFK, afk) {
        case (true, false):  // back: close the away event at the input, start active just after
            stateStart = next
            return [ping("afk", at: edge), ping("not-afk", at: next)]
        case (false, true):  // went away: close the active event at the last input
            stateStart = next
            return [ping("not-afk", at: edge), ping("afk", at: next, until: now)]
        case (true, true):
            return [ping("afk", at: edge, until: now)]
        case (false, false):
            if stateStart == nil { stateStart = edge }
            return [ping("not-afk", at: edge)]
        }
    }

    private func ping(_ status: String, at time: Timestamp, until end: Timestamp? = nil) -> Heartbeat {
        let duration = max(0, end?.nanoseconds(since: time) ?? 0)
        return Heartbeat(
            event: Event(timestamp: time, durationNanoseconds: duration, data: ["status": .string(status)]),
            pulsetime: pulsetime)
    }
}
