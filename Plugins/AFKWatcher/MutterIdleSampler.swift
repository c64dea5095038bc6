import AWCore
import AWDBus
import AWWatcherKit

/// The AFK watcher's source on GNOME (Mutter): the idle monitor on the session bus
/// (`org.gnome.Mutter.IdleMonitor`), which counts keyboard and pointer input only. An idle watch
/// fires `threshold` after the last input and a user-active watch at the first input after that
/// (`WatchFired`); `IdleNotices` turns them into idle times, so nothing is polled. A locked screen
/// (`org.gnome.ScreenSaver` `ActiveChanged`) counts as away, as an active screen saver does on X11.
struct MutterIdleSampler: EventSampler {
    static let service = "org.gnome.Mutter.IdleMonitor"
    static let path = "/org/gnome/Mutter/IdleMonitor/Core"
    static let interface = "org.gnome.Mutter.IdleMonitor"
    static let screenSaver = "org.gnome.ScreenSaver"

    private let bus: DBusConnection
    private var machine: AFKStateMachine
    private var notices: IdleNotices
    /// The idle watch's id (fires at every `threshold` without input).
    private var idleWatch: UInt32 = 0
    /// The pending user-active watch's id (fires once, at the next input).
    private var activeWatch: UInt32?
    private var locked = false
    private var monitorQuit = false

    /// Sets up the watches on the session bus `bus`.
    ///
    /// - Throws: `SourceUnavailable` when the idle monitor is not there or refuses the watches.
    init(bus: DBusConnection, configuration: AFKWatcherConfiguration) throws(SourceUnavailable) {
        self.bus = bus
        machine = AFKStateMachine(
            timeout: configuration.timeout, poll: configuration.pollTime, pulsetime: configuration.pulsetime)
        let threshold = WaylandIdleSampler.thresholdMilliseconds(configuration)
        notices = IdleNotices(thresholdMilliseconds: threshold, now: PollClock.monotonicNow)
        do throws(DBusFailure) {
            try bus.addMatch(
                "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='\(Self.service)'"
            )
            try bus.addMatch("type='signal',interface='\(Self.interface)',member='WatchFired'")
            try bus.addMatch("type='signal',interface='\(Self.screenSaver)',member='ActiveChanged'")
            guard case .uint32(let id)? = try monitor("AddIdleWatch", [.uint64(UInt64(threshold))]).first else {
                throw DBusFailure(name: "org.freedesktop.DBus.Error.InvalidArgs", message: "AddIdleWatch gave no id")
            }
            idleWatch = id
            // The user-active watch before the idle time, so that input between the two is not missed.
            try watchForInput()
            try readIdleTime()
        } catch {
            throw SourceUnavailable("GNOME's idle monitor (\(Self.service)) did not answer: \(error)")
        }
        // Not every GNOME Shell serves the screen lock's interface (a headless one does not).
        if case .boolean(let active)? = try? bus.call(
            Self.screenSaver, "/org/gnome/ScreenSaver", Self.screenSaver, "GetActive", timeout: .seconds(2)
        ).first {
            locked = active
        }
    }

    var interval: Duration { .nanoseconds(machine.sampleIntervalNanoseconds) }
    var descriptor: Int32 { bus.descriptor }
    var isLost: Bool { monitorQuit || bus.isLost }

    @discardableResult
    private func monitor(_ method: String, _ arguments: [DBusValue] = []) throws(DBusFailure) -> [DBusValue] {
        try bus.call(Self.service, Self.path, Self.interface, method, arguments, timeout: .seconds(2))
    }

    private mutating func watchForInput() throws(DBusFailure) {
        guard case .uint32(let id)? = try monitor("AddUserActiveWatch").first else {
            throw DBusFailure(name: "org.freedesktop.DBus.Error.InvalidArgs", message: "AddUserActiveWatch gave no id")
        }
        activeWatch = id
    }

    /// Reads the idle time once: the last input is then known exactly.
    private mutating func readIdleTime() throws(DBusFailure) {
        guard case .uint64(let idle)? = try monitor("GetIdletime").first else {
            throw DBusFailure(name: "org.freedesktop.DBus.Error.InvalidArgs", message: "GetIdletime gave no time")
        }
        let now = PollClock.monotonicNow
        let lastInput = now - Int64(clamping: idle) * 1_000_000
        if lastInput + notices.thresholdNanoseconds <= now {
            notices.idled(at: lastInput + notices.thresholdNanoseconds)
        } else {
            notices.resumed(at: lastInput)
        }
    }

    mutating func readEvents() -> Bool {
        var changed = false
        var idled = false
        bus.readMessages { (message) throws(DBusFailure) -> [DBusValue]? in
            guard !message.isMethodCall else { return nil }
            let now = PollClock.monotonicNow
            switch (message.interface, message.member, message.arguments.first) {
            case (Self.interface, "WatchFired", .uint32(let id)?):
                if id == idleWatch {
                    notices.idled(at: now)
                    idled = true
                    changed = true
                } else if id == activeWatch {
                    notices.resumed(at: now)
                    activeWatch = nil
                    changed = true
                }
            case (Self.screenSaver, "ActiveChanged", .boolean(let active)?):
                locked = active
                changed = true
            case ("org.freedesktop.DBus", "NameOwnerChanged", .string(Self.service)?):
                if message.arguments.last == .string("") { monitorQuit = true }
            default:
                break
            }
            return nil
        }
        if idled && activeWatch == nil {
            // Input between the idle watch firing and the new user-active watch would be missed:
            // the idle time, read after the watch is set, tells.
            do throws(DBusFailure) {
                try watchForInput()
                try readIdleTime()
            } catch {
                monitorQuit = true
            }
        }
        return changed
    }

    mutating func sample(at clock: PollClock) -> [Heartbeat] {
        let now = clock.monotonicNanoseconds
        return machine.observe(
            AFKStateMachine.Sample(
                clock: .init(wall: clock.wall, monotonicNanoseconds: now),
                idleMilliseconds: notices.idleMilliseconds(at: now), screenSaverActive: locked))
    }

    mutating func finish(at clock: PollClock) -> [Heartbeat] {
        machine.finish()
    }
}
