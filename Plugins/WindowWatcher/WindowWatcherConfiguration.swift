import AWCore
import AWTransform

/// Settings of the window watcher (`[watchers.window]` in `config.toml`).
public struct WindowWatcherConfiguration: Sendable, Hashable {
    /// Whether the watcher runs.
    public var enabled: Bool
    /// Seconds between polls of the active window.
    public var pollTime: Double
    /// The X display; `nil` for `$DISPLAY`.
    public var display: String?
    /// The Wayland display (a name in `$XDG_RUNTIME_DIR` or a path); `nil` for `$WAYLAND_DISPLAY`.
    public var waylandDisplay: String?
    /// The source to read the active window from; `nil` chooses from the session.
    var source: WindowSource?
    /// The D-Bus session bus where KWin or GNOME Shell is looked for; `nil` for
    /// `$DBUS_SESSION_BUS_ADDRESS`.
    public var sessionBusAddress: String?
    /// Privacy rules, applied in order before anything is recorded; the first that matches decides.
    public var rules: [PrivacyRule]

    public init(
        enabled: Bool = true, pollTime: Double = 1.0, display: String? = nil, waylandDisplay: String? = nil,
        sessionBusAddress: String? = nil, rules: [PrivacyRule] = []
    ) {
        self.sessionBusAddress = sessionBusAddress
        self.enabled = enabled
        self.pollTime = pollTime
        self.display = display
        self.waylandDisplay = waylandDisplay
        self.rules = rules
    }

    /// How long after an event ends a heartbeat may still extend it: `max(1.5 × poll, poll + 1)`,
    /// as aw-watcher-window computes it (2 s at the default poll).
    public var pulsetime: Double { max(1.5 * pollTime, pollTime + 1) }

    /// Reads `[watchers.window]`, including aw-watcher-window's `exclude_title` and
    /// `exclude_titles`, which become rules that replace the title with "excluded".
    ///
    /// - Throws: `ConfigError` naming the bad setting (a regex that does not compile, a rule
    ///   that does nothing).
    public init(section: ConfigSection) throws(ConfigError) {
        self.init()
        enabled = try section.bool("enabled") ?? enabled
        pollTime = try section.double("poll_time") ?? pollTime
        guard pollTime >= 0.1 && pollTime <= 3600 else {
            throw section.error("poll_time", "must be between 0.1 and 3600 seconds")
        }
        display = try section.string("display")
        waylandDisplay = try section.string("wayland_display")
        sessionBusAddress = try section.string("session_bus")
        if let value = try section.string("source"), value != "auto" {
            guard let source = WindowSource(rawValue: value) else {
                throw section.error("source", "must be one of \(WindowSource.settingValues.joined(separator: ", "))")
            }
            self.source = source
        }
        if try section.bool("exclude_title") == true {
            rules.append(PrivacyRule(title: "", replaceTitle: "excluded"))
        }
        for pattern in try section.strings("exclude_titles") ?? [] {
            let rule = PrivacyRule(title: pattern, ignoreCase: true, replaceTitle: "excluded")
            try rule.validate(in: section, key: "exclude_titles")
            rules.append(rule)
        }
        for table in try section.tables("rules") {
            let rule = try PrivacyRule(section: table)
            try rule.validate(in: table)
            rules.append(rule)
        }
    }

    /// The `[watchers.window]` part of a new `config.toml`, commented out.
    public static let defaultFileContents = """
        [watchers.window]
        # Record the active window's application and title.
        #enabled = true
        # Where the active window comes from: "auto" chooses from the session (`aw-server sources`
        # shows the choice and why); "x11" (an X server), "wlr-foreign-toplevel" (wlroots
        # compositors: sway, Hyprland, labwc, niri, river, Wayfire), "kwin-script" (KDE Plasma),
        # "gnome-shell-extension" (GNOME on Wayland: `aw-server gnome-extension install`).
        #source = "auto"
        # Seconds between heartbeats while the window stays the same; switches and title changes
        # are recorded when they happen.
        #poll_time = 1.0
        # The X display to watch (default: $DISPLAY).
        #display = ":0"
        # The Wayland display to watch (default: $WAYLAND_DISPLAY).
        #wayland_display = "wayland-0"
        # The D-Bus session bus where KWin or GNOME Shell is found (default: $DBUS_SESSION_BUS_ADDRESS).
        #session_bus = "unix:path=/run/user/1000/bus"
        # Replace every title with "excluded", or only titles matching these regexes (any case).
        #exclude_title = false
        #exclude_titles = ["private browsing", "KeePassXC"]

        # Privacy rules, checked in order before anything is recorded; the first that matches
        # decides. `app` and `title` are regexes searched in the application and window title
        # (both must match when both are given); then either drop the sample, or replace the
        # app or title ($1, $2 ... insert the regex's capture groups).
        #[[watchers.window.rules]]
        #app = "^(keepassxc|1Password)$"
        #ignore_case = true
        #drop = true
        #
        #[[watchers.window.rules]]
        #app = "^Code$"
        #title = "^● (.*)"
        #replace_title = "$1"

        """
}
