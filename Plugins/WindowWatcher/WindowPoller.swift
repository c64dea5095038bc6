import AWCore
import AWWatcherKit
import AWX11
import CX11
import Logging

/// The window watcher's X11 source: samples the active window and hands it to the recorder.
/// Besides polling, it listens for the window manager changing `_NET_ACTIVE_WINDOW` and for the
/// active window changing its title, and samples at once, so switches are recorded when they
/// happen rather than up to a poll later.
struct WindowPoller: X11Poller {
    private let reader: ActiveWindowReader
    private var recorder: WindowRecorder
    let interval: Duration
    /// The window whose title changes are listened to.
    private var watched: Window?
    private let activeWindowAtom: Atom
    private let titleAtoms: [Atom]

    init(display: XDisplay, configuration: WindowWatcherConfiguration, logger: Logger) {
        reader = ActiveWindowReader(display: display)
        recorder = WindowRecorder(configuration: configuration, logger: logger)
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
        recorder.finish(at: clock.wall)
    }

    mutating func poll(at clock: PollClock) -> [Heartbeat] {
        let window = reader.activeWindow()
        if window != watched {
            // Only this connection's interest changes; a window already gone is ignored.
            if let watched { XSelectInput(reader.display.handle, watched, NoEventMask) }
            if let window { XSelectInput(reader.display.handle, window, PropertyChangeMask) }
            watched = window
        }
        return recorder.observe(reader.sample(of: window), at: clock.wall)
    }
}
