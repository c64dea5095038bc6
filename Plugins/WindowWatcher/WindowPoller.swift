import AWCore
import AWWatcherKit
import AWX11
import CX11
import Logging

/// The window watcher's poller: samples the active window, applies the privacy rules and
/// produces gap-free heartbeats. Besides polling, it listens for the window manager changing
/// `_NET_ACTIVE_WINDOW` and for the active window changing its title, and samples at once, so
/// switches are recorded when they happen rather than up to a poll later.
struct WindowPoller: X11Poller {
    private let reader: ActiveWindowReader
    private var tracker: WindowTracker
    private let rules: [CompiledPrivacyRule]
    /// The rules whose regex was too costly for the last window they were tried on (warned once
    /// until they work again).
    private var failingRules: Set<Int> = []
    private let logger: Logger
    let interval: Duration
    /// The window whose title changes are listened to.
    private var watched: Window?
    private let activeWindowAtom: Atom
    private let titleAtoms: [Atom]

    init?(display: XDisplay, configuration: WindowWatcherConfiguration, logger: Logger) {
        reader = ActiveWindowReader(display: display)
        tracker = WindowTracker(pulsetime: configuration.pulsetime)
        rules = configuration.rules.compactMap { try? CompiledPrivacyRule($0) }
        self.logger = logger
        interval = .milliseconds(Int64(configuration.pollTime * 1000))
        activeWindowAtom = display.atom("_NET_ACTIVE_WINDOW")
        titleAtoms = [display.atom("_NET_WM_NAME"), display.atom("WM_NAME")]
        XSelectInput(display.handle, display.root, PropertyChangeMask)
    }

    mutating func needsPoll(after event: XEvent) -> Bool {
        guard event.type == PropertyNotify else { return false }
        let change = event.xproperty
        if change.window == reader.display.root { return change.atom == activeWindowAtom }
        return change.window == watched && titleAtoms.contains(change.atom)
    }

    mutating func finish(at clock: PollClock) -> [Heartbeat] {
        tracker.finish(at: clock.wall)
    }

    mutating func poll(at clock: PollClock) -> [Heartbeat] {
        let window = reader.activeWindow()
        if window != watched {
            // Only this connection's interest changes; a window already gone is ignored.
            if let watched { XSelectInput(reader.display.handle, watched, NoEventMask) }
            if let window { XSelectInput(reader.display.handle, window, PropertyChangeMask) }
            watched = window
        }
        switch reader.sample(of: window) {
        case .none:
            return tracker.observe(["app": "unknown", "title": "unknown"], at: clock.wall)
        case .window(let app, let title):
            for (index, rule) in rules.enumerated() {
                guard let decision = decide(rule, index, app: app, title: title) else { continue }
                switch decision {
                case .drop: return tracker.observe(nil, at: clock.wall)
                case .record(let app, let title):
                    return tracker.observe(["app": .string(app), "title": .string(title)], at: clock.wall)
                }
            }
            return tracker.observe(["app": .string(app), "title": .string(title)], at: clock.wall)
        }
    }

    /// What rule number `index` makes of a window. A rule whose regex is too costly for this
    /// window cannot tell whether the window is one the user wants hidden, so nothing is recorded
    /// for it, and a warning names the rule.
    private mutating func decide(_ rule: CompiledPrivacyRule, _ index: Int, app: String, title: String)
        -> PrivacyDecision?
    {
        do {
            let decision = try rule.apply(app: app, title: title)
            failingRules.remove(index)
            return decision
        } catch {
            if failingRules.insert(index).inserted {
                logger.warning(
                    "privacy rule \(index + 1) (watchers.window.rules[\(index)]) cannot be applied, so this window is not recorded: \(error)"
                )
            }
            return .drop
        }
    }
}
