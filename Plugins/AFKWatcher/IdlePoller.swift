import AWCore
import AWWatcherKit
import AWX11
import CX11
import Logging

/// The AFK watcher's poller: reads the idle time and screen-saver state from the X server's
/// MIT-SCREEN-SAVER extension and feeds the AFK state machine.
struct IdlePoller: X11Poller {
    private let display: XDisplay
    private let info: ScreenSaverInfo
    private var machine: AFKStateMachine

    /// The reply buffer of `XScreenSaverQueryInfo`, freed with the poller.
    final class ScreenSaverInfo {
        let pointer: UnsafeMutablePointer<XScreenSaverInfo>
        init(_ pointer: UnsafeMutablePointer<XScreenSaverInfo>) { self.pointer = pointer }
        deinit { XFree(pointer) }
    }

    init(display: XDisplay, configuration: AFKWatcherConfiguration, logger: Logger) throws(SourceUnavailable) {
        var eventBase: Int32 = 0
        var errorBase: Int32 = 0
        guard XScreenSaverQueryExtension(display.handle, &eventBase, &errorBase) != 0,
            let info = XScreenSaverAllocInfo()
        else {
            throw SourceUnavailable("the X display has no MIT-SCREEN-SAVER extension, so idle time cannot be read")
        }
        self.display = display
        self.info = ScreenSaverInfo(info)
        machine = AFKStateMachine(
            timeout: configuration.timeout, poll: configuration.pollTime, pulsetime: configuration.pulsetime)
    }

    var interval: Duration { .nanoseconds(machine.sampleIntervalNanoseconds) }

    mutating func finish(at clock: PollClock) -> [Heartbeat] {
        machine.finish()
    }

    mutating func poll(at clock: PollClock) -> [Heartbeat] {
        guard XScreenSaverQueryInfo(display.handle, display.root, info.pointer) != 0 else { return [] }
        let sample = AFKStateMachine.Sample(
            clock: .init(wall: clock.wall, monotonicNanoseconds: clock.monotonicNanoseconds),
            idleMilliseconds: Int64(info.pointer.pointee.idle),
            screenSaverActive: info.pointer.pointee.state == ScreenSaverOn || xscreensaverBlanked)
        return machine.observe(sample)
    }

    /// Whether XScreenSaver (the daemon) has blanked or locked the screen: it does not use the
    /// X server's screen saver, but says so in `_SCREENSAVER_STATUS` on the root window, whose
    /// first item is the atom `BLANK` or `LOCK` while the screen is off, else 0.
    private var xscreensaverBlanked: Bool {
        guard let status = display.longs("_SCREENSAVER_STATUS", of: display.root), let state = status.first else {
            return false
        }
        return state != 0
    }
}
