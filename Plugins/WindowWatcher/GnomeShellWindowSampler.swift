import AWCore
import AWDBus
import AWGnomeShell
import AWWatcherKit
import Logging

/// The window watcher's source on GNOME Shell (Wayland): the project's Shell extension serves the
/// focused window on the session bus and signals every change (focus switch, title change, the
/// Overview opening or closing), so switches are recorded as they happen.
///
/// The extension may be missing or not yet loaded (installed, but GNOME Shell on Wayland loads
/// extensions at login): the sampler then logs once what to do, records nothing, and starts
/// recording as soon as the extension takes its name on the bus. GNOME Shell leaving the bus
/// loses the sampler.
struct GnomeShellWindowSampler: EventSampler {
    /// GNOME Shell's name on the session bus.
    static let shellService = "org.gnome.Shell"

    private let bus: DBusConnection
    private let logger: Logger
    private var recorder: WindowRecorder
    /// The focused window as the extension last told; `nil` while the extension does not answer.
    private var active: ActiveWindow?
    /// The extension's connection (GNOME Shell's unique name): signals from others are ignored.
    private var extensionOwner: String?
    /// Whether the user was told the extension is missing (once until it answers).
    private var advised = false
    private var shellQuit = false
    let interval: Duration

    /// Follows the extension on the session bus `bus`.
    ///
    /// - Throws: `SourceUnavailable` when the bus refuses the subscriptions.
    init(bus: DBusConnection, configuration: WindowWatcherConfiguration, logger: Logger) throws(SourceUnavailable) {
        self.bus = bus
        self.logger = logger
        recorder = WindowRecorder(configuration: configuration, logger: logger)
        interval = .milliseconds(Int64(configuration.pollTime * 1000))
        do throws(DBusFailure) {
            for name in [GnomeShellExtension.busName, Self.shellService] {
                try bus.addMatch(
                    "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='\(name)'"
                )
            }
            try bus.addMatch(
                "type='signal',sender='\(GnomeShellExtension.busName)',interface='\(GnomeShellExtension.interface)',member='FocusedWindowChanged'"
            )
        } catch {
            throw SourceUnavailable("the session bus refused a subscription: \(error)")
        }
        askExtension()
    }

    var descriptor: Int32 { bus.descriptor }
    var isLost: Bool { shellQuit || bus.isLost }

    /// Asks the extension for the focused window; tells the user once when it does not answer.
    private mutating func askExtension() {
        do throws(DBusFailure) {
            let owner = try bus.owner(of: GnomeShellExtension.busName)
            let reply = try bus.call(
                GnomeShellExtension.busName, GnomeShellExtension.objectPath, GnomeShellExtension.interface,
                "GetFocusedWindow", timeout: .seconds(2))
            extensionOwner = owner
            active = Self.window(reply)
            if advised { logger.info("the GNOME Shell extension answers; recording the active window") }
            advised = false
        } catch {
            extensionOwner = nil
            active = nil
            if !advised {
                logger.warning("cannot watch the active window yet: \(GnomeShellExtension.missingAdvice())")
                advised = true
            }
        }
    }

    /// The window in a `GetFocusedWindow` reply or `FocusedWindowChanged` signal: `(b focused,
    /// s app, s title)`.
    static func window(_ values: [DBusValue]) -> ActiveWindow? {
        guard values.count == 3, case .boolean(let focused) = values[0], let app = values[1].string,
            let title = values[2].string
        else { return nil }
        return focused ? .window(app: app.isEmpty ? "unknown" : app, title: title) : ActiveWindow.none
    }

    mutating func readEvents() -> Bool {
        var changed = false
        var extensionCame = false
        bus.readMessages { (message) throws(DBusFailure) -> [DBusValue]? in
            guard !message.isMethodCall else { return nil }
            if message.member == "NameOwnerChanged", message.arguments.count == 3,
                let name = message.arguments[0].string, let newOwner = message.arguments[2].string
            {
                if name == Self.shellService && newOwner.isEmpty { shellQuit = true }
                if name == GnomeShellExtension.busName {
                    if newOwner.isEmpty {
                        extensionOwner = nil
                        active = nil
                        changed = true
                    } else {
                        extensionCame = true
                    }
                }
            } else if message.member == "FocusedWindowChanged", message.sender == extensionOwner,
                let window = Self.window(message.arguments)
            {
                active = window
                changed = true
            }
            return nil
        }
        if extensionCame {
            askExtension()
            changed = true
        }
        return changed
    }

    mutating func sample(at clock: PollClock) -> [Heartbeat] {
        guard let active else { return recorder.pause(at: clock.wall) }
        return recorder.observe(active, at: clock.wall)
    }

    mutating func finish(at clock: PollClock) -> [Heartbeat] {
        recorder.finish(at: clock.wall)
    }
}
