import AWCore
import CX11
import Foundation
import Glibc
import Logging
import Synchronization

/// Something that samples an X display, such as the active window or the idle time: at its own
/// interval, and at once when an X event it asked for (with `XSelectInput`) says something
/// changed. It is created for each connection and used on the polling thread only.
public protocol X11Poller {
    /// What a poll produces (heartbeats, usually).
    associatedtype Output: Sendable
    /// The settings the poller is made from.
    associatedtype Configuration: Sendable

    /// Prepares polling on a new connection.
    ///
    /// - Returns: `nil` when the display lacks what the poller needs (the error is logged by
    ///   the poller); the loop tries again later.
    init?(display: XDisplay, configuration: Configuration, logger: Logger)

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

/// The time of a poll on two clocks: the wall clock (for timestamps) and the monotonic clock
/// (which does not jump and does not run during suspend).
public struct PollClock: Sendable, Hashable {
    /// Wall-clock time.
    public var wall: Timestamp
    /// Monotonic time, in nanoseconds since an arbitrary start.
    public var monotonicNanoseconds: Int64

    public init(wall: Timestamp, monotonicNanoseconds: Int64) {
        self.wall = wall
        self.monotonicNanoseconds = monotonicNanoseconds
    }

    /// Both clocks, now.
    public static var now: PollClock {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return PollClock(wall: .now, monotonicNanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }
}

/// Runs an `X11Poller` on a thread of its own (Xlib calls block, and never run on the server's
/// event loops), delivering its output as an async stream.
///
/// Between polls the thread sleeps in `poll(2)` on the X connection, so an event the poller asked
/// for wakes it at once. The poll it calls for comes `settleTime` later but is dated at the event,
/// and such polls are at least `minimumEventGap` apart, so a title that changes many times a
/// second does not flood the bucket.
///
/// Without a display it logs once and retries with back-off (1 s doubling to 30 s); when the
/// connection breaks (the X server quit) it logs, reconnects the same way and carries on.
public final class X11PollLoop: Sendable {
    /// The shortest time between two polls when events call for them.
    public static let minimumEventGap: Duration = .milliseconds(100)
    /// How long after an event the poll waits for the changes that come with it: a window
    /// manager switching windows sets "no active window", then the new one, a moment apart. The
    /// poll is dated at the event, so waiting costs no accuracy.
    public static let settleTime: Duration = .milliseconds(30)

    private let stopped = Mutex(false)
    /// `stop()` writes a byte to `wakeUp.write`, which wakes the thread waiting on `wakeUp.read`.
    private let wakeUp: (read: Int32, write: Int32)

    private init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                _ = fcntl(fd, F_SETFL, O_NONBLOCK)
            }
        }
        wakeUp = (fds[0], fds[1])
    }

    deinit {
        close(wakeUp.read)
        close(wakeUp.write)
    }

    /// Starts polling.
    ///
    /// - Parameters:
    ///   - poller: The poller type.
    ///   - configuration: What each new poller is made from.
    ///   - displayName: The display to use; `nil` for `$DISPLAY`.
    ///   - logger: Where to log connection changes.
    /// - Returns: The outputs, and the loop to `stop()`. The stream ends after `stop()`.
    public static func start<P: X11Poller>(
        _ poller: P.Type, configuration: P.Configuration, displayName: String?, logger: Logger
    ) -> (outputs: AsyncStream<P.Output>, loop: X11PollLoop) {
        let loop = X11PollLoop()
        let (outputs, continuation) = AsyncStream.makeStream(of: P.Output.self)
        let thread = Thread {
            loop.run(
                P.self, configuration: configuration, displayName: displayName, logger: logger,
                continuation: continuation)
            continuation.finish()
        }
        thread.name = "aw-x11-\(P.self)"
        thread.start()
        return (outputs, loop)
    }

    /// Stops polling; the output stream ends shortly after.
    public func stop() {
        stopped.withLock { $0 = true }
        var byte: UInt8 = 1
        _ = write(wakeUp.write, &byte, 1)
    }

    private var isStopped: Bool { stopped.withLock { $0 } }

    /// Waits until `duration` has passed, `stop()` is called, or (with `connection`) the X
    /// connection has something to read.
    private func wait(_ duration: Duration, connection: Int32? = nil) {
        var fds = [pollfd(fd: wakeUp.read, events: Int16(POLLIN), revents: 0)]
        if let connection { fds.append(pollfd(fd: connection, events: Int16(POLLIN), revents: 0)) }
        let milliseconds = Int32(clamping: (max(0, duration.nanosecondCount) + 999_999) / 1_000_000)
        _ = poll(&fds, nfds_t(fds.count), milliseconds)
    }

    private func run<P: X11Poller>(
        _: P.Type, configuration: P.Configuration, displayName: String?, logger: Logger,
        continuation: AsyncStream<P.Output>.Continuation
    ) {
        let name = displayName ?? ProcessInfoDisplay.current
        var retryDelay: Duration = .seconds(1)
        var reportedUnavailable = false
        while !isStopped {
            guard let display = XDisplay(name: displayName) else {
                if !reportedUnavailable {
                    logger.warning(
                        "cannot open the X display \(name.map { "'\($0)'" } ?? "(DISPLAY is not set)"); waiting for it")
                    reportedUnavailable = true
                }
                wait(retryDelay)
                retryDelay = min(retryDelay * 2, .seconds(30))
                continue
            }
            guard var poller = P(display: display, configuration: configuration, logger: logger) else {
                wait(.seconds(30))
                continue
            }
            logger.info("watching X display \(name ?? "")")
            reportedUnavailable = false
            retryDelay = .seconds(1)
            var changedAt: PollClock?  // the first event since the last poll that calls for a poll
            while !isStopped && !display.isLost {
                let polledAt = PollClock.now.monotonicNanoseconds
                for output in poller.poll(at: changedAt ?? .now) { continuation.yield(output) }
                changedAt = nil
                var due = polledAt + poller.interval.nanosecondCount
                // Until the next poll is due: sleep on the connection, hand over what arrives.
                while !isStopped && !display.isLost {
                    var event = XEvent()
                    while XPending(display.handle) > 0 && !display.isLost {
                        XNextEvent(display.handle, &event)
                        if poller.needsPoll(after: event) && changedAt == nil {
                            let now = PollClock.now
                            changedAt = now
                            due = min(
                                due,
                                max(
                                    polledAt + Self.minimumEventGap.nanosecondCount,
                                    now.monotonicNanoseconds + Self.settleTime.nanosecondCount))
                        }
                    }
                    let now = PollClock.now.monotonicNanoseconds
                    if now >= due { break }
                    wait(.nanoseconds(due - now), connection: XConnectionNumber(display.handle))
                }
            }
            for output in poller.finish(at: .now) { continuation.yield(output) }
            if display.isLost {
                logger.warning("lost the connection to the X display \(name ?? ""); reconnecting")
            }
        }
    }
}

/// The `DISPLAY` environment variable.
enum ProcessInfoDisplay {
    static var current: String? {
        guard let value = getenv("DISPLAY") else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}
