import AWCore
import AWDBus
import AWWatcherKit
import AWWayland
import AWX11
import Logging

/// Where the AFK watcher reads your idle time from, chosen at start (and again after a lost
/// connection) from what the session shows.
enum IdleSource: String, CaseIterable, Sendable {
    /// The X server's MIT-SCREEN-SAVER idle time (an X11 session).
    case x11
    /// `ext_idle_notifier_v1` (KWin, sway ≥ 1.8, Hyprland, labwc, niri, COSMIC, ...).
    case extIdleNotify = "ext-idle-notify"
    /// `org_kde_kwin_idle` (older wlroots compositors such as sway 1.7, KWin).
    case kdeIdle = "kde-idle"
    /// GNOME's `org.gnome.Mutter.IdleMonitor` on the session bus (GNOME on Wayland).
    case mutter = "mutter-idle-monitor"

    /// The setting's values: `auto` chooses.
    static let settingValues = ["auto"] + allCases.map(\.rawValue)

    /// The choice on `session`, with the interfaces the compositor offers (and their versions)
    /// when a Wayland connection was made; `globals` is `nil` when none was tried or it failed
    /// with `connectionError`. `mutterOnBus` says whether GNOME's idle monitor is on the session
    /// bus, when that was asked (see `asksBus`), or why the bus could not be asked.
    static func choose(
        on session: DesktopSession, configured: IdleSource?, globals: [String: UInt32]?,
        connectionError: SourceUnavailable?, mutterOnBus: Result<Bool, DBusFailure>? = nil
    ) -> (source: IdleSource?, report: SourceReport) {
        let module = AFKWatcher.name
        if let configured {
            return (configured, .configured(module: module, source: configured.rawValue))
        }
        let wayland = [IdleSource.extIdleNotify, .kdeIdle, .mutter].map {
            SourceReport.Alternative($0.rawValue, "not a Wayland session")
        }
        guard session.isWayland else {
            guard session.x11Display != nil else { return (nil, .noDesktopSession(module: module)) }
            return (
                .x11,
                SourceReport(
                    module: module, source: IdleSource.x11.rawValue, reason: "an X11 session (DISPLAY is set)",
                    notTaken: wayland)
            )
        }
        let x11 = SourceReport.Alternative(
            IdleSource.x11.rawValue, "a Wayland session: XWayland has no MIT-SCREEN-SAVER and sees no native input")
        guard let globals else {
            return (
                nil,
                SourceReport(
                    module: module, source: nil, reason: connectionError?.reason ?? "no Wayland display",
                    notTaken: [x11])
            )
        }
        let extVersion = globals["ext_idle_notifier_v1"]
        let kde = globals["org_kde_kwin_idle"] != nil
        let mutterAbsence: String
        switch mutterOnBus {
        case .success(true)?:
            // Preferred on GNOME: input only, and it comes with the screen lock's state.
            var notTaken = [x11]
            if kde { notTaken.insert(.init(IdleSource.kdeIdle.rawValue, "GNOME's idle monitor is preferred"), at: 0) }
            if extVersion != nil {
                notTaken.insert(.init(IdleSource.extIdleNotify.rawValue, "GNOME's idle monitor is preferred"), at: 0)
            }
            return (
                .mutter,
                SourceReport(
                    module: module, source: IdleSource.mutter.rawValue,
                    reason:
                        "GNOME's idle monitor (org.gnome.Mutter.IdleMonitor) is on the session bus; a locked screen counts as away",
                    notTaken: notTaken)
            )
        case .success(false)?: mutterAbsence = "org.gnome.Mutter.IdleMonitor is not on the session bus"
        case .failure(let failure)?: mutterAbsence = "no session bus (\(failure.message))"
        case nil: mutterAbsence = "not a GNOME session"
        }
        let mutter = SourceReport.Alternative(IdleSource.mutter.rawValue, mutterAbsence)
        guard globals["wl_seat"] != nil else {
            return (
                nil,
                SourceReport(
                    module: module, source: nil, reason: "the compositor offers no seat (wl_seat)",
                    notTaken: [mutter, x11])
            )
        }
        if let extVersion {
            let inputOnly =
                extVersion >= 2
                ? " (input only: a playing video does not count as presence)"
                : " (version 1: an app inhibiting idle, such as a playing video, counts as presence)"
            var notTaken = [x11]
            if mutterOnBus != nil { notTaken.insert(mutter, at: 0) }
            if kde { notTaken.insert(.init(IdleSource.kdeIdle.rawValue, "ext_idle_notifier_v1 is preferred"), at: 0) }
            return (
                .extIdleNotify,
                SourceReport(
                    module: module, source: IdleSource.extIdleNotify.rawValue,
                    reason: "the compositor offers ext_idle_notifier_v1 version \(extVersion)\(inputOnly)",
                    notTaken: notTaken)
            )
        }
        if kde {
            return (
                .kdeIdle,
                SourceReport(
                    module: module, source: IdleSource.kdeIdle.rawValue,
                    reason: "the compositor offers org_kde_kwin_idle",
                    notTaken: [.init(IdleSource.extIdleNotify.rawValue, "not offered by the compositor")]
                        + (mutterOnBus != nil ? [mutter] : []) + [x11])
            )
        }
        let reason =
            session.isDesktop("GNOME")
            ? "XDG_CURRENT_DESKTOP says GNOME, but \(mutterAbsence): start aw-server-swift with the session's DBUS_SESSION_BUS_ADDRESS"
            : "the compositor\(session.desktopSuffix) offers neither ext_idle_notifier_v1 nor org_kde_kwin_idle"
        return (
            nil,
            SourceReport(
                module: module, source: nil, reason: reason,
                notTaken: [
                    .init(IdleSource.extIdleNotify.rawValue, "not offered by the compositor"),
                    .init(IdleSource.kdeIdle.rawValue, "not offered by the compositor"), mutter, x11,
                ])
        )
    }

    /// Whether the session bus is asked for GNOME's idle monitor: on a GNOME session, and on a
    /// Wayland compositor that offers neither idle protocol.
    static func asksBus(on session: DesktopSession, globals: [String: UInt32]?) -> Bool {
        guard session.isWayland, let globals else { return false }
        return session.isDesktop("GNOME")
            || (globals["ext_idle_notifier_v1"] == nil && globals["org_kde_kwin_idle"] == nil)
    }

    /// The choice for `configuration` on this session, with the connections it made.
    private static func decide(_ configuration: AFKWatcherConfiguration) -> (
        source: IdleSource?, report: SourceReport, compositor: CompositorProbe,
        bus: Result<DBusConnection, DBusFailure>?
    ) {
        let (session, compositor) = CompositorProbe.session(
            x11Display: configuration.display, waylandDisplay: configuration.waylandDisplay,
            configuredWayland: configuration.source.map { $0 != .x11 && $0 != .mutter })
        var bus: Result<DBusConnection, DBusFailure>?
        if configuration.source == .mutter
            || (configuration.source == nil && asksBus(on: session, globals: compositor.offered))
        {
            bus = Result { () throws(DBusFailure) in try DBusConnection(address: configuration.sessionBusAddress) }
        }
        let mutterOnBus = bus.map { bus in
            bus.flatMap { connection in
                Result { () throws(DBusFailure) in try connection.hasOwner(MutterIdleSampler.service) }
            }
        }
        let (source, report) = choose(
            on: session, configured: configuration.source, globals: compositor.offered,
            connectionError: compositor.error, mutterOnBus: mutterOnBus)
        return (source, report, compositor, bus)
    }

    /// Chooses and opens the source for `configuration` on this session.
    static func open(configuration: AFKWatcherConfiguration, logger: Logger) -> SamplerOpening<Heartbeat> {
        let (source, report, compositor, bus) = decide(configuration)
        do throws(SourceUnavailable) {
            switch source {
            case nil:
                throw SourceUnavailable(report.summary)
            case .x11:
                logger.info("afk \(report.summary)")
                return X11Sampler<IdlePoller>.open(
                    displayName: configuration.display, configuration: configuration, logger: logger)
            case .mutter:
                let connection: DBusConnection
                switch bus {
                case .success(let opened)?: connection = opened
                case .failure(let failure)?: throw SourceUnavailable("no session bus: \(failure.message)")
                case nil: throw SourceUnavailable("the session bus was not asked")
                }
                let sampler = try MutterIdleSampler(bus: connection, configuration: configuration)
                logger.info("afk \(report.summary)")
                return .opened(sampler, watching: "idle time through GNOME's idle monitor on the session bus")
            case let wayland?:
                let connection = try compositor.requireConnection()
                let sampler = try WaylandIdleSampler(
                    connection: connection, source: wayland, configuration: configuration)
                logger.info("afk \(report.summary)")
                return .opened(
                    sampler, watching: "idle time through \(sampler.protocolName) on Wayland display \(connection.name)"
                )
            }
        } catch {
            return .unavailable("cannot tell when you are away: \(error.reason)")
        }
    }

    /// The choice on this session, without watching (`aw-server sources`).
    static func report(configuration: AFKWatcherConfiguration) -> SourceReport {
        decide(configuration).report
    }
}
