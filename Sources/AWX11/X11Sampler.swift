import AWCore
import AWWatcherKit
import CX11
import Glibc
import Logging

/// Something that samples an X display, such as the active window or the idle time: at its own
/// interval, and at once when an X event it asked for (with `XSelectInput`) says something
/// changed. It is created for each connection and used on the sampling thread only.
public protocol X11Poller {
    /// What a poll produces (heartbeats, usually).
    associatedtype Output: Sendable
    /// The settings the poller is made from.
    associatedtype Configuration: Sendable

    /// Prepares polling on a new connection.
    ///
    /// - Throws: `SourceUnavailable` when the display lacks what the poller needs; the loop
    ///   logs the reason and tries again later.
    init(display: XDisplay, configuration: Configuration, logger: Logger) throws(SourceUnavailable)

    /// How long after this poll the next one is due when no event comes first.
    var interval: Duration { get }

    /// Samples the display.
    ///
    /// - Parameter clock: The wall and monotonic time of this poll.
    /// - Returns: What to deliver, in order.
    mutating func poll(at clock: PollClock) -> [Output]

    /// Whether `event`, which arrived between polls, calls for a poll now.
    mutating func needsPoll(after event: XEvent) -> Bool

    /// What is still to deliver when polling ends (stopped, or the connection lost): output
    /// held back between polls.
    mutating func finish(at clock: PollClock) -> [Output]
}

extension X11Poller {
    /// Pollers that select no events poll at their interval only.
    public func needsPoll(after event: XEvent) -> Bool { false }

    /// Pollers that hold nothing back have nothing to finish.
    public func finish(at clock: PollClock) -> [Output] { [] }
}

/// An `X11Poller` on its connection, as the sampling loop runs it.
public struct X11Sampler<Poller: X11Poller>: EventSampler {
    let display: XDisplay
    var poller: Poller

    /// Opens the X display `displayName` (`nil`: `$DISPLAY`) and prepares `Poller` on it.
    public static func open(
        displayName: String?, configuration: Poller.Configuration, logger: Logger
    ) -> SamplerOpening<Poller.Output> {
        let name = displayName ?? environmentDisplay
        guard let display = XDisplay(name: displayName) else {
            return .unavailable("cannot open the X display \(name.map { "'\($0)'" } ?? "(DISPLAY is not set)")")
        }
        do {
            let poller = try Poller(display: display, configuration: configuration, logger: logger)
            return .opened(X11Sampler(display: display, poller: poller), watching: "X display \(name ?? "")")
        } catch {
            return .unavailable(error.reason)
        }
    }

    /// The `DISPLAY` environment variable.
    private static var environmentDisplay: String? {
        guard let value = getenv("DISPLAY") else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    public var interval: Duration { poller.interval }
    public var descriptor: Int32 { XConnectionNumber(display.handle) }
    public var isLost: Bool { display.isLost }

    public mutating func readEvents() -> Bool {
        var calledFor = false
        var event = XEvent()
        while XPending(display.handle) > 0 && !display.isLost {
            XNextEvent(display.handle, &event)
            if poller.needsPoll(after: event) { calledFor = true }
        }
        return calledFor
    }

    public mutating func sample(at clock: PollClock) -> [Poller.Output] { poller.poll(at: clock) }
    public mutating func finish(at clock: PollClock) -> [Poller.Output] { poller.finish(at: clock) }
}
