import AWCore

/// One heartbeat a watcher wants recorded.
public struct Heartbeat: Sendable, Hashable {
    /// The event: when, how long (usually 0) and what.
    public var event: Event
    /// How long after the bucket's last event the heartbeat may still extend it, in seconds.
    public var pulsetime: Double

    public init(event: Event, pulsetime: Double) {
        self.event = event
        self.pulsetime = pulsetime
    }
}
