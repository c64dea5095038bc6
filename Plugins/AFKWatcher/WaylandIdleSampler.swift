import AWCore
import AWWatcherKit
import AWWayland
import CWaylandProtocols
import Logging

/// The AFK watcher's source on Wayland: an idle notification from the compositor,
/// `ext_idle_notifier_v1` (the input-only notification of version 2 where offered, so a playing
/// video that keeps the screen on does not count as presence) or KDE's `org_kde_kwin_idle`.
///
/// `IdleNotices` turns the notifications into idle times; each notification calls for a sample at
/// once.
struct WaylandIdleSampler: EventSampler {
    let connection: WaylandConnection
    private let context: Context
    private var machine: AFKStateMachine
    /// Which protocol, in words, for the log.
    let protocolName: String

    /// What the listeners update.
    final class Context {
        var notices: IdleNotices
        var changed = false

        init(thresholdMilliseconds: UInt32) {
            notices = IdleNotices(thresholdMilliseconds: thresholdMilliseconds, now: PollClock.monotonicNow)
        }
    }

    /// The notification threshold: the poll time, at least 1 s and at most half the timeout (so
    /// that the idle time assumed while you are active stays below the timeout).
    static func thresholdMilliseconds(_ configuration: AFKWatcherConfiguration) -> UInt32 {
        UInt32(min(configuration.timeout / 2, max(1, configuration.pollTime)) * 1000)
    }

    /// Asks the compositor on `connection` for idle notifications through `source`.
    ///
    /// - Throws: `SourceUnavailable` when it offers neither protocol, or no seat.
    init(connection: WaylandConnection, source: IdleSource, configuration: AFKWatcherConfiguration)
        throws(SourceUnavailable)
    {
        guard let (seat, _) = connection.bind(cwl_seat_interface(), version: 1) else {
            throw SourceUnavailable("the Wayland compositor '\(connection.name)' offers no seat (wl_seat)")
        }
        self.connection = connection
        machine = AFKStateMachine(
            timeout: configuration.timeout, poll: configuration.pollTime, pulsetime: configuration.pulsetime)
        let threshold = Self.thresholdMilliseconds(configuration)
        context = Context(thresholdMilliseconds: threshold)
        let data = Unmanaged.passUnretained(context).toOpaque()
        switch source {
        case .extIdleNotify:
            guard let (notifier, version) = connection.bind(cwl_ext_idle_notifier_interface(), version: 2) else {
                throw SourceUnavailable(
                    "the Wayland compositor '\(connection.name)' does not offer ext_idle_notifier_v1")
            }
            let notification =
                version >= 2
                ? ext_idle_notifier_v1_get_input_idle_notification(notifier, threshold, seat)
                : ext_idle_notifier_v1_get_idle_notification(notifier, threshold, seat)
            guard let notification else { throw SourceUnavailable("ext_idle_notifier_v1 gave no notification") }
            _ = ext_idle_notification_v1_add_listener(notification, Self.extListener, data)
            protocolName = "ext_idle_notifier_v1 version \(version)\(version >= 2 ? " (input only)" : "")"
        case .kdeIdle:
            guard let (idle, _) = connection.bind(cwl_kde_idle_interface(), version: 1),
                let timeout = org_kde_kwin_idle_get_idle_timeout(idle, seat, threshold)
            else {
                throw SourceUnavailable("the Wayland compositor '\(connection.name)' does not offer org_kde_kwin_idle")
            }
            _ = org_kde_kwin_idle_timeout_add_listener(timeout, Self.kdeListener, data)
            protocolName = "org_kde_kwin_idle"
        case .x11, .mutter:
            throw SourceUnavailable("\(source.rawValue) is not a Wayland protocol")
        }
        try connection.roundtrip()
    }

    var interval: Duration { .nanoseconds(machine.sampleIntervalNanoseconds) }
    var descriptor: Int32 { connection.descriptor }
    var isLost: Bool { connection.isLost }

    mutating func readEvents() -> Bool {
        connection.readEvents()
        defer { context.changed = false }
        return context.changed
    }

    mutating func sample(at clock: PollClock) -> [Heartbeat] {
        let now = clock.monotonicNanoseconds
        return machine.observe(
            AFKStateMachine.Sample(
                clock: .init(wall: clock.wall, monotonicNanoseconds: now),
                idleMilliseconds: context.notices.idleMilliseconds(at: now), screenSaverActive: false))
    }

    mutating func finish(at clock: PollClock) -> [Heartbeat] {
        machine.finish()
    }

    private static func context(_ data: UnsafeMutableRawPointer?) -> Context? {
        data.map { Unmanaged<Context>.fromOpaque($0).takeUnretainedValue() }
    }

    /// "Idle": the last input was `threshold` ago.
    private static func idled(_ data: UnsafeMutableRawPointer?) {
        guard let context = context(data) else { return }
        context.notices.idled(at: PollClock.monotonicNow)
        context.changed = true
    }

    /// "Resumed": input now.
    private static func resumed(_ data: UnsafeMutableRawPointer?) {
        guard let context = context(data) else { return }
        context.notices.resumed(at: PollClock.monotonicNow)
        context.changed = true
    }

    nonisolated(unsafe) private static let extListener: UnsafeMutablePointer<ext_idle_notification_v1_listener> = {
        let listener = UnsafeMutablePointer<ext_idle_notification_v1_listener>.allocate(capacity: 1)
        listener.initialize(to: .init(idled: { data, _ in idled(data) }, resumed: { data, _ in resumed(data) }))
        return listener
    }()

    nonisolated(unsafe) private static let kdeListener: UnsafeMutablePointer<org_kde_kwin_idle_timeout_listener> = {
        let listener = UnsafeMutablePointer<org_kde_kwin_idle_timeout_listener>.allocate(capacity: 1)
        listener.initialize(to: .init(idle: { data, _ in idled(data) }, resumed: { data, _ in resumed(data) }))
        return listener
    }()
}
