import AWCore
import FoundationEssentials
import Glibc
import Logging
import Synchronization

/// The time of a sample on two clocks: the wall clock (for timestamps) and the monotonic clock
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
        PollClock(wall: .now, monotonicNanoseconds: monotonicNow)
    }

    /// The monotonic clock, now, in nanoseconds.
    public static var monotonicNow: Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

/// Something a watcher samples over a connection of its own (an X display, a Wayland
/// compositor): at its own interval, and at once when an event on the connection says something
/// changed. It is opened, used and dropped on the sampling thread only.
public protocol EventSampler<Output> {
    /// What a sample produces (heartbeats, usually).
    associatedtype Output: Sendable

    /// How long after this sample the next one is due when no event calls for one sooner.
    var interval: Duration { get }
    /// The connection's file descriptor: readable when events arrive.
    var descriptor: Int32 { get }
    /// Whether the connection has broken. A lost sampler is finished and dropped, and the loop
    /// opens a new one.
    var isLost: Bool { get }

    /// Reads and handles what has arrived on the connection, without blocking.
    ///
    /// - Returns: Whether that calls for a sample now.
    mutating func readEvents() -> Bool

    /// Samples.
    ///
    /// - Parameter clock: When: the moment of the event that called for it, or now.
    /// - Returns: What to deliver, in order.
    mutating func sample(at clock: PollClock) -> [Output]

    /// What is still to deliver when sampling ends (stopped, or the connection lost): output held
    /// back between samples.
    mutating func finish(at clock: PollClock) -> [Output]
}

extension EventSampler {
    /// Samplers that hold nothing back have nothing to finish.
    public mutating func finish(at clock: PollClock) -> [Output] { [] }
}

/// The result of trying to open a sampler.
public enum SamplerOpening<Output: Sendable> {
    /// Ready: the sampler, and what it watches in words ("X display :0") for the log.
    case opened(any EventSampler<Output>, watching: String)
    /// Not possible now, for the reason given (logged once); the loop tries again with back-off.
    case unavailable(String)
}

/// Runs an `EventSampler` on a thread of its own (display libraries block, and never run on the
/// server's event loops), delivering its output as an async stream.
///
/// Between samples the thread sleeps in `poll(2)` on the connection, so an event the sampler
/// asked for wakes it at once. The sample it calls for comes `settleTime` later but is dated at
/// the event, and such samples are at least `minimumEventGap` apart, so a title that changes many
/// times a second does not flood the bucket.
///
/// While no sampler can be opened it logs the reason once and retries with back-off (1 s doubling
/// to 30 s); when the connection breaks (the display server quit) it logs, reopens the same way
/// and carries on.
public final class SamplingLoop: Sendable {
    /// The shortest time between two samples when events call for them.
    public static let minimumEventGap: Duration = .milliseconds(100)
    /// How long after an event the sample waits for the changes that come with it: an X window
    /// manager switching windows sets "no active window", then the new one, a moment apart. The
    /// sample is dated at the event, so waiting costs no accuracy.
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

    /// Starts sampling.
    ///
    /// - Parameters:
    ///   - name: The thread's name.
    ///   - logger: Where to log connection changes.
    ///   - open: Opens a sampler; called on the sampling thread, again after each loss.
    /// - Returns: The outputs, and the loop to `stop()`. The stream ends after `stop()`.
    public static func start<Output: Sendable>(
        name: String, logger: Logger, open: @escaping @Sendable () -> SamplerOpening<Output>
    ) -> (outputs: AsyncStream<Output>, loop: SamplingLoop) {
        let loop = SamplingLoop()
        let (outputs, continuation) = AsyncStream.makeStream(of: Output.self)
        startDetachedThread(name: name) {
            loop.run(logger: logger, open: open, continuation: continuation)
            continuation.finish()
        }
        return (outputs, loop)
    }

    /// Stops sampling; the output stream ends shortly after.
    public func stop() {
        stopped.withLock { $0 = true }
        var byte: UInt8 = 1
        _ = write(wakeUp.write, &byte, 1)
    }

    private var isStopped: Bool { stopped.withLock { $0 } }

    /// Waits until `duration` has passed, `stop()` is called, or (with `descriptor`) the
    /// connection has something to read. Returns at once when already stopped.
    private func wait(_ duration: Duration, descriptor: Int32? = nil) {
        guard !isStopped else { return }
        var fds = [pollfd(fd: wakeUp.read, events: Int16(POLLIN), revents: 0)]
        if let descriptor { fds.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)) }
        let milliseconds = Int32(clamping: (max(0, duration.nanosecondCount) + 999_999) / 1_000_000)
        _ = poll(&fds, nfds_t(fds.count), milliseconds)
    }

    private func run<Output: Sendable>(
        logger: Logger, open: () -> SamplerOpening<Output>, continuation: AsyncStream<Output>.Continuation
    ) {
        var retryDelay: Duration = .seconds(1)
        var reported: String?
        while !isStopped {
            let opening = open()
            guard case .opened(var sampler, let watching) = opening else {
                if case .unavailable(let reason) = opening, reason != reported {
                    logger.warning("\(reason); trying again")
                    reported = reason
                }
                wait(retryDelay)
                retryDelay = min(retryDelay * 2, .seconds(30))
                continue
            }
            logger.info("watching \(watching)")
            reported = nil
            retryDelay = .seconds(1)
            var changedAt: PollClock?  // the first event since the last sample that calls for one
            while !isStopped && !sampler.isLost {
                let sampledAt = PollClock.monotonicNow
                for output in sampler.sample(at: changedAt ?? .now) { continuation.yield(output) }
                changedAt = nil
                var due = sampledAt + sampler.interval.nanosecondCount
                // Until the next sample is due: sleep on the connection, handle what arrives.
                while !isStopped && !sampler.isLost {
                    if sampler.readEvents() && changedAt == nil {
                        let now = PollClock.now
                        changedAt = now
                        due = min(
                            due,
                            max(
                                sampledAt + Self.minimumEventGap.nanosecondCount,
                                now.monotonicNanoseconds + Self.settleTime.nanosecondCount))
                    }
                    let now = PollClock.monotonicNow
                    if now >= due || sampler.isLost { break }
                    wait(.nanoseconds(due - now), descriptor: sampler.descriptor)
                }
            }
            for output in sampler.finish(at: .now) { continuation.yield(output) }
            if sampler.isLost {
                logger.warning("lost the connection to \(watching); reconnecting")
            }
        }
    }
}
