import AWWatcherKit

/// A connection to the compositor made to see which protocols it offers before a source is
/// chosen, or why none could be made. The connection is then used by the source chosen.
public struct CompositorProbe {
    /// The connection; `nil` when none was wanted or it failed.
    public let connection: WaylandConnection?
    /// Why connecting failed.
    public let error: SourceUnavailable?

    /// Connects to the compositor `name` (`nil`: `$WAYLAND_DISPLAY`) when `wanted`.
    public init(connectingTo name: String?, when wanted: Bool) {
        guard wanted else {
            (connection, error) = (nil, nil)
            return
        }
        do throws(SourceUnavailable) {
            (connection, error) = (try WaylandConnection(name: name), nil)
        } catch {
            (connection, self.error) = (nil, error)
        }
    }

    /// This process's session, with the displays a watcher's configuration names, and a
    /// connection to its compositor when the watcher's source may be a Wayland one: configured so
    /// (`configuredWayland` true), or chosen from the session (`nil`) in a Wayland session.
    public static func session(x11Display: String?, waylandDisplay: String?, configuredWayland: Bool?) -> (
        session: DesktopSession, compositor: CompositorProbe
    ) {
        let session = DesktopSession().naming(x11Display: x11Display, waylandDisplay: waylandDisplay)
        let compositor = CompositorProbe(connectingTo: waylandDisplay, when: configuredWayland ?? session.isWayland)
        return (session, compositor)
    }

    /// The interfaces the compositor offers, with their versions; `nil` without a connection.
    public var offered: [String: UInt32]? { connection?.offered }

    /// The connection, for the source chosen on it.
    ///
    /// - Throws: Why there is none.
    public func requireConnection() throws(SourceUnavailable) -> WaylandConnection {
        guard let connection else { throw error ?? SourceUnavailable("no Wayland display") }
        return connection
    }
}
