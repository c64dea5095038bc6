import AWCore
import AWDBus
import AWGnomeShell
import AWWatcherKit
import AWWayland
import AWX11
import Logging

/// What the session bus shows of GNOME Shell.
struct GnomeShellPresence: Equatable {
    /// Whether GNOME Shell is on the bus (`org.gnome.Shell`).
    var onBus: Bool
    /// Whether the project's extension holds its name there.
    var extensionAnswers: Bool
}

/// Where the window watcher reads the active window from, chosen at start (and again after a
/// lost connection) from what the session shows, never by trying one source after another.
enum WindowSource: String, CaseIterable, Sendable {
    /// An X server's `_NET_ACTIVE_WINDOW` (an X11 session).
    case x11
    /// `zwlr_foreign_toplevel_manager_v1` (wlroots compositors: sway, Hyprland, labwc, niri, river).
    case wlroots = "wlr-foreign-toplevel"
    /// A KWin script reporting over D-Bus (KDE Plasma, whose KWin shows its window list to its
    /// own scripts only).
    case kwin = "kwin-script"
    /// The project's GNOME Shell extension, over D-Bus (GNOME on Wayland, whose shell tells the
    /// focused window to its extensions only).
    case gnome = "gnome-shell-extension"

    /// The setting's values: `auto` chooses.
    static let settingValues = ["auto"] + allCases.map(\.rawValue)

    /// The choice on `session`, with the interfaces the compositor offers (and their versions)
    /// when a Wayland connection was made; `globals` is `nil` when none was tried or it failed
    /// with `connectionError`. `kwinOnBus` says whether KWin is on the session bus, when that was
    /// asked (a Wayland compositor without the wlroots protocol), or why the bus could not be asked;
    /// `gnomeShell` whether GNOME Shell is on it and whether the extension answers there.
    static func choose(
        on session: DesktopSession, configured: WindowSource?, globals: [String: UInt32]?,
        connectionError: SourceUnavailable?, kwinOnBus: Result<Bool, DBusFailure>? = nil,
        gnomeShell: GnomeShellPresence? = nil
    ) -> (source: WindowSource?, report: SourceReport) {
        let module = WindowWatcher.name
        if let configured {
            return (configured, .configured(module: module, source: configured.rawValue))
        }
        guard session.isWayland else {
            guard session.x11Display != nil else { return (nil, .noDesktopSession(module: module)) }
            return (
                .x11,
                SourceReport(
                    module: module, source: WindowSource.x11.rawValue, reason: "an X11 session (DISPLAY is set)",
                    notTaken: [
                        .init(WindowSource.wlroots.rawValue, "not a Wayland session"),
                        .init(WindowSource.kwin.rawValue, "not a Wayland session: on X11 the X server tells"),
                        .init(WindowSource.gnome.rawValue, "not a Wayland session: on X11 the X server tells"),
                    ])
            )
        }
        let x11 = SourceReport.Alternative(
            WindowSource.x11.rawValue,
            "a Wayland session: the X server (XWayland) shows only XWayland windows, never the focused native one")
        guard let globals else {
            return (
                nil,
                SourceReport(
                    module: module, source: nil, reason: connectionError?.reason ?? "no Wayland display",
                    notTaken: [x11])
            )
        }
        if let version = globals["zwlr_foreign_toplevel_manager_v1"] {
            return (
                .wlroots,
                SourceReport(
                    module: module, source: WindowSource.wlroots.rawValue,
                    reason: "the compositor offers zwlr_foreign_toplevel_manager_v1 version \(version)",
                    notTaken: [.init(WindowSource.kwin.rawValue, "not needed: the compositor tells"), x11])
            )
        }
        let wlroots = SourceReport.Alternative(WindowSource.wlroots.rawValue, "not offered by the compositor")
        let kwinAbsence: String
        switch kwinOnBus {
        case .success(true)?:
            return (
                .kwin,
                SourceReport(
                    module: module, source: WindowSource.kwin.rawValue,
                    reason: "KWin (KDE Plasma) is on the session bus as org.kde.KWin",
                    notTaken: [wlroots, x11])
            )
        case .success(false)?: kwinAbsence = "org.kde.KWin is not on the session bus"
        case .failure(let failure)?: kwinAbsence = "no session bus (\(failure.message))"
        case nil: kwinAbsence = "the session bus was not asked"
        }
        let kwin = SourceReport.Alternative(WindowSource.kwin.rawValue, kwinAbsence)
        if let gnomeShell, gnomeShell.onBus {
            guard gnomeShell.extensionAnswers else {
                // Chosen all the same: the sampler waits for the extension and records once it answers.
                return (
                    .gnome,
                    SourceReport(
                        module: module, source: nil,
                        reason: "GNOME Shell is on the session bus, but \(GnomeShellExtension.missingAdvice())",
                        notTaken: [wlroots, kwin, x11])
                )
            }
            return (
                .gnome,
                SourceReport(
                    module: module, source: WindowSource.gnome.rawValue,
                    reason: "GNOME Shell is on the session bus and its extension \(GnomeShellExtension.uuid) answers",
                    notTaken: [wlroots, kwin, x11])
            )
        }
        let gnomeAbsence: String
        if case .success? = kwinOnBus {
            gnomeAbsence = "org.gnome.Shell is not on the session bus"
        } else {
            gnomeAbsence = kwinAbsence
        }
        let reason: String
        if session.isDesktop("KDE") {
            reason =
                "XDG_CURRENT_DESKTOP says KDE, but \(kwinAbsence): start aw-server-swift with the session's DBUS_SESSION_BUS_ADDRESS"
        } else if session.isDesktop("GNOME") {
            reason =
                "XDG_CURRENT_DESKTOP says GNOME, but \(gnomeAbsence): start aw-server-swift with the session's DBUS_SESSION_BUS_ADDRESS"
        } else if globals["ext_foreign_toplevel_list_v1"] != nil {
            reason =
                "the compositor offers ext_foreign_toplevel_list_v1, which lists windows but never says which has the focus, and not zwlr_foreign_toplevel_manager_v1"
        } else {
            reason = "the compositor\(session.desktopSuffix) does not offer zwlr_foreign_toplevel_manager_v1"
        }
        return (
            nil,
            SourceReport(
                module: module, source: nil, reason: reason,
                notTaken: [wlroots, kwin, .init(WindowSource.gnome.rawValue, gnomeAbsence), x11])
        )
    }

    /// What the session shows, with the connections made to see it, which the source chosen uses.
    private struct Evidence {
        var session: DesktopSession
        var compositor: CompositorProbe
        /// The session bus, when KWin was looked for on it.
        var bus: Result<DBusConnection, DBusFailure>?

        /// The session bus, for the KWin source.
        ///
        /// - Throws: Why there is none.
        func requireBus() throws(SourceUnavailable) -> DBusConnection {
            switch bus {
            case .success(let connection)?: return connection
            case .failure(let failure)?: throw SourceUnavailable("no session bus: \(failure.message)")
            case nil: throw SourceUnavailable("the session bus was not asked")
            }
        }

        /// Whether GNOME Shell is on the session bus and its extension answers, when the bus was
        /// reached.
        var gnomeShell: GnomeShellPresence? {
            guard case .success(let connection)? = bus else { return nil }
            let onBus = (try? connection.hasOwner(GnomeShellWindowSampler.shellService)) ?? false
            let answers = onBus && ((try? connection.hasOwner(GnomeShellExtension.busName)) ?? false)
            return GnomeShellPresence(onBus: onBus, extensionAnswers: answers)
        }

        /// Whether KWin is on the session bus, when that was asked.
        var kwinOnBus: Result<Bool, DBusFailure>? {
            bus.map { bus in
                bus.flatMap { connection in
                    Result { () throws(DBusFailure) in
                        try connection.hasOwner(KWinScriptSampler.kwinService)
                    }
                }
            }
        }
    }

    /// The choice for `configuration` on this session, with the connections it made.
    private static func decide(_ configuration: WindowWatcherConfiguration) -> (
        source: WindowSource?, report: SourceReport, evidence: Evidence
    ) {
        let (session, compositor) = CompositorProbe.session(
            x11Display: configuration.display, waylandDisplay: configuration.waylandDisplay,
            configuredWayland: configuration.source.map { $0 == .wlroots })
        var evidence = Evidence(session: session, compositor: compositor)
        // KWin is looked for only where it matters: a Wayland compositor without the wlroots
        // protocol, or a configuration that names the KWin source.
        let lacksWlroots = compositor.offered.map { $0["zwlr_foreign_toplevel_manager_v1"] == nil } ?? false
        if configuration.source == .kwin || configuration.source == .gnome
            || (configuration.source == nil && lacksWlroots)
        {
            evidence.bus = Result { () throws(DBusFailure) in
                try DBusConnection(address: configuration.sessionBusAddress)
            }
        }
        let (source, report) = choose(
            on: session, configured: configuration.source, globals: compositor.offered,
            connectionError: compositor.error, kwinOnBus: evidence.kwinOnBus, gnomeShell: evidence.gnomeShell)
        return (source, report, evidence)
    }

    /// Chooses and opens the source for `configuration` on this session.
    static func open(configuration: WindowWatcherConfiguration, logger: Logger) -> SamplerOpening<Heartbeat> {
        let (source, report, evidence) = decide(configuration)
        do throws(SourceUnavailable) {
            switch source {
            case nil:
                throw SourceUnavailable(report.summary)
            case .x11:
                logger.info("window \(report.summary)")
                return X11Sampler<WindowPoller>.open(
                    displayName: configuration.display, configuration: configuration, logger: logger)
            case .wlroots:
                let connection = try evidence.compositor.requireConnection()
                let sampler = try WlrWindowSampler(connection: connection, configuration: configuration, logger: logger)
                logger.info("window \(report.summary)")
                return .opened(sampler, watching: "windows on Wayland display \(connection.name)")
            case .kwin:
                let bus = try evidence.requireBus()
                let sampler = try KWinScriptSampler(bus: bus, configuration: configuration, logger: logger)
                logger.info("window \(report.summary)")
                return .opened(sampler, watching: "windows through a KWin script, called back as \(bus.uniqueName)")
            case .gnome:
                let bus = try evidence.requireBus()
                if report.source != nil { logger.info("window \(report.summary)") }
                let sampler = try GnomeShellWindowSampler(bus: bus, configuration: configuration, logger: logger)
                return .opened(
                    sampler, watching: "windows through the GNOME Shell extension \(GnomeShellExtension.uuid)")
            }
        } catch {
            return .unavailable("cannot watch the active window: \(error.reason)")
        }
    }

    /// The choice on this session, without watching (`aw-server sources`).
    static func report(configuration: WindowWatcherConfiguration) -> SourceReport {
        decide(configuration).report
    }
}
