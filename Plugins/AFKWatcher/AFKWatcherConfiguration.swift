import AWCore

/// Settings of the AFK watcher (`[watchers.afk]` in `config.toml`).
public struct AFKWatcherConfiguration: Sendable, Hashable {
    /// Whether the watcher runs.
    public var enabled: Bool
    /// Seconds without input after which you count as away (180; 20 in testing mode).
    public var timeout: Double
    /// Seconds between heartbeats (5; 1 in testing mode). The idle time is read at this interval
    /// while you are active and every half second while you are away.
    public var pollTime: Double
    /// The X display; `nil` for `$DISPLAY`.
    public var display: String?
    /// The Wayland display (a name in `$XDG_RUNTIME_DIR` or a path); `nil` for `$WAYLAND_DISPLAY`.
    public var waylandDisplay: String?
    /// The D-Bus session bus where GNOME's idle monitor is found; `nil` for
    /// `$DBUS_SESSION_BUS_ADDRESS`.
    public var sessionBusAddress: String?
    /// The source of the idle time; `nil` chooses from the session.
    var source: IdleSource?

    public init(
        testing: Bool = false, enabled: Bool = true, timeout: Double? = nil, pollTime: Double? = nil,
        display: String? = nil, waylandDisplay: String? = nil, sessionBusAddress: String? = nil
    ) {
        self.enabled = enabled
        self.timeout = timeout ?? (testing ? 20 : 180)
        self.pollTime = pollTime ?? (testing ? 1 : 5)
        self.display = display
        self.waylandDisplay = waylandDisplay
        self.sessionBusAddress = sessionBusAddress
    }

    /// How long after an event ends a heartbeat may still extend it: timeout + poll, as
    /// aw-watcher-afk computes it.
    public var pulsetime: Double { timeout + pollTime }

    /// Reads `[watchers.afk]`.
    ///
    /// - Throws: `ConfigError` naming a bad setting.
    public init(section: ConfigSection, testing: Bool) throws(ConfigError) {
        self.init(testing: testing)
        enabled = try section.bool("enabled") ?? enabled
        timeout = try section.double("timeout") ?? timeout
        pollTime = try section.double("poll_time") ?? pollTime
        display = try section.string("display")
        waylandDisplay = try section.string("wayland_display")
        sessionBusAddress = try section.string("session_bus")
        if let value = try section.string("source"), value != "auto" {
            guard let source = IdleSource(rawValue: value) else {
                throw section.error("source", "must be one of \(IdleSource.settingValues.joined(separator: ", "))")
            }
            self.source = source
        }
        guard pollTime >= 0.1 && pollTime <= 3600 else {
            throw section.error("poll_time", "must be between 0.1 and 3600 seconds")
        }
        guard timeout >= pollTime else { throw section.error("timeout", "must be at least poll_time (\(pollTime) s)") }
    }

    /// The `[watchers.afk]` part of a new `config.toml`, commented out.
    public static func defaultFileContents(testing: Bool) -> String {
        let defaults = AFKWatcherConfiguration(testing: testing)
        return """
            [watchers.afk]
            # Record when you are at the computer ("not-afk") and away ("afk"), from the X server's
            # idle time or, in a Wayland session, the compositor's idle notifications (GNOME's idle
            # monitor on GNOME). On X11 an active screen saver counts as away (also a screen
            # XScreenSaver has blanked or locked), on GNOME a locked screen; so does time the
            # computer was asleep.
            #enabled = true
            # Where the idle time comes from: "auto" chooses from the session (`aw-server sources`
            # shows the choice and why); "x11", "ext-idle-notify", "kde-idle", "mutter-idle-monitor".
            #source = "auto"
            # Seconds without keyboard or mouse input after which you count as away.
            #timeout = \(Int(defaults.timeout))
            # Seconds between heartbeats. Edges do not depend on it: going away is dated from
            # your last input, and while you are away the idle time is read every half second.
            #poll_time = \(Int(defaults.pollTime))
            # The X display to watch (default: $DISPLAY).
            #display = ":0"
            # The Wayland display to watch (default: $WAYLAND_DISPLAY).
            #wayland_display = "wayland-0"
            # The D-Bus session bus where GNOME's idle monitor is found (default:
            # $DBUS_SESSION_BUS_ADDRESS).
            #session_bus = "unix:path=/run/user/1000/bus"

            """
    }
}
