import AWCore
import AWWatcherKit
import AWWayland
import AWX11
import Logging

/// Where the window watcher reads the active window from, chosen at start (and again after a
/// lost connection) from what the session shows, never by trying one source after another.
enum WindowSource: String, CaseIterable, Sendable {
    /// An X server's `_NET_ACTIVE_WINDOW` (an X11 session).
    case x11
    /// `zwlr_foreign_toplevel_manager_v1` (wlroots compositors: sway, Hyprland, labwc, niri, river).
    case wlroots = "wlr-foreign-toplevel"

    /// The setting's values: `auto` chooses.
    static let settingValues = ["auto"] + allCases.map(\.rawValue)

    /// The choice on `session`, with the interfaces the compositor offers (and their versions)
    /// when a Wayland connection was made; `globals` is `nil` when none was tried or it failed
    /// with `connectionError`.
    static func choose(
        on session: DesktopSession, configured: WindowSource?, globals: [String: UInt32]?,
        connectionError: SourceUnavailable?
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
                    notTaken: [.init(WindowSource.wlroots.rawValue, "not a Wayland session")])
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
                    notTaken: [x11])
            )
        }
        let reason: String
        if session.isDesktop("KDE") {
            reason =
                "KDE Plasma's KWin keeps its window list from ordinary clients, and this version of aw-server-swift has no KWin source yet"
        } else if session.isDesktop("GNOME") {
            reason =
                "GNOME Shell offers no protocol for the active window, and this version of aw-server-swift has no GNOME source yet"
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
                notTaken: [.init(WindowSource.wlroots.rawValue, "not offered by the compositor"), x11])
        )
    }

    /// The choice for `configuration` on this session, with the compositor connection it made.
    private static func decide(_ configuration: WindowWatcherConfiguration) -> (
        source: WindowSource?, report: SourceReport, compositor: CompositorProbe
    ) {
        let (session, compositor) = CompositorProbe.session(
            x11Display: configuration.display, waylandDisplay: configuration.waylandDisplay,
            configuredWayland: configuration.source.map { $0 != .x11 })
        let (source, report) = choose(
            on: session, configured: configuration.source, globals: compositor.offered,
            connectionError: compositor.error)
        return (source, report, compositor)
    }

    /// Chooses and opens the source for `configuration` on this session.
    static func open(configuration: WindowWatcherConfiguration, logger: Logger) -> SamplerOpening<Heartbeat> {
        let (source, report, compositor) = decide(configuration)
        do throws(SourceUnavailable) {
            switch source {
            case nil:
                throw SourceUnavailable(report.summary)
            case .x11:
                logger.info("window \(report.summary)")
                return X11Sampler<WindowPoller>.open(
                    displayName: configuration.display, configuration: configuration, logger: logger)
            case .wlroots:
                let connection = try compositor.requireConnection()
                let sampler = try WlrWindowSampler(connection: connection, configuration: configuration, logger: logger)
                logger.info("window \(report.summary)")
                return .opened(sampler, watching: "windows on Wayland display \(connection.name)")
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
