import AWWatcherKit
import CWaylandProtocols
import Glibc

/// A connection to a Wayland compositor, owned by one thread: the display, the globals the
/// compositor advertises, and non-blocking event handling for the sampling loop.
///
/// Requests and events never block: the connection is read only when `poll(2)` says there is
/// something to read, and a round trip gives up after a deadline, so a compositor that hangs
/// cannot hang the watcher.
public final class WaylandConnection {
    /// One global the compositor advertises.
    public struct Global: Sendable, Hashable {
        /// The registry's name for it, used to bind it.
        public var name: UInt32
        /// The interface, e.g. `zwlr_foreign_toplevel_manager_v1`.
        public var interface: String
        /// The highest version the compositor offers.
        public var version: UInt32
    }

    /// The `wl_display`.
    public let display: OpaquePointer
    /// What the display was named ("wayland-1", or a path).
    public let name: String
    private let registry: OpaquePointer
    /// The globals, in the order advertised.
    public private(set) var globals: [Global] = []

    /// Connects to the compositor `name` (`nil`: `$WAYLAND_DISPLAY`) and reads its globals.
    ///
    /// - Throws: `SourceUnavailable` when there is no such compositor or it does not answer within
    ///   `timeout`.
    public init(name: String?, timeout: Duration = .seconds(5)) throws(SourceUnavailable) {
        let shown = name ?? Self.environmentDisplay ?? "wayland-0"
        guard let display = wl_display_connect(name) else {
            throw SourceUnavailable(
                "cannot connect to the Wayland display '\(shown)': \(String(cString: strerror(errno)))")
        }
        guard let registry = wl_display_get_registry(display) else {
            wl_display_disconnect(display)
            throw SourceUnavailable("the Wayland display '\(shown)' gave no registry")
        }
        self.display = display
        self.name = shown
        self.registry = registry
        _ = wl_registry_add_listener(registry, Self.registryListener, Unmanaged.passUnretained(self).toOpaque())
        try roundtrip(within: timeout)
    }

    deinit {
        wl_registry_destroy(registry)
        wl_display_disconnect(display)
    }

    /// The `WAYLAND_DISPLAY` environment variable.
    private static var environmentDisplay: String? {
        guard let value = getenv("WAYLAND_DISPLAY") else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    /// The interfaces the compositor offers, with the highest version of each.
    public var offered: [String: UInt32] {
        Dictionary(globals.map { ($0.interface, $0.version) }, uniquingKeysWith: max)
    }

    /// The highest version of `interface` the compositor offers, or `nil` when it offers none.
    public func version(of interface: String) -> UInt32? {
        globals.first { $0.interface == interface }?.version
    }

    /// Binds the global of `interface` at `min(version, offered)`.
    ///
    /// - Returns: The proxy and the version bound, or `nil` when the compositor does not offer it.
    public func bind(_ interface: UnsafePointer<wl_interface>, version: UInt32) -> (
        proxy: OpaquePointer, version: UInt32
    )? {
        let interfaceName = String(cString: interface.pointee.name)
        guard let global = globals.first(where: { $0.interface == interfaceName }) else { return nil }
        let bound = min(version, global.version)
        guard let raw = wl_registry_bind(registry, global.name, interface, bound) else { return nil }
        return (OpaquePointer(raw), bound)
    }

    /// The connection's file descriptor.
    public var descriptor: Int32 { wl_display_get_fd(display) }

    /// Whether the connection has broken (the compositor quit, or a protocol error).
    public var isLost: Bool { wl_display_get_error(display) != 0 }

    /// Reads what has arrived, without blocking, and calls the listeners of its events; sends
    /// the requests made meanwhile.
    public func readEvents() {
        while wl_display_prepare_read(display) != 0 {
            if wl_display_dispatch_pending(display) < 0 { return }
        }
        _ = wl_display_flush(display)
        var readable = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        if poll(&readable, 1, 0) > 0 {
            _ = wl_display_read_events(display)
        } else {
            wl_display_cancel_read(display)
        }
        _ = wl_display_dispatch_pending(display)
        _ = wl_display_flush(display)
    }

    /// Waits until the compositor has handled every request sent so far and sent their events.
    ///
    /// - Throws: `SourceUnavailable` when the connection breaks or the compositor does not answer
    ///   within `timeout`.
    public func roundtrip(within timeout: Duration = .seconds(5)) throws(SourceUnavailable) {
        let done = Flag()
        guard let callback = wl_display_sync(display) else {
            throw SourceUnavailable("the Wayland display '\(name)' broke")
        }
        defer { wl_callback_destroy(callback) }
        _ = wl_callback_add_listener(callback, Self.syncListener, Unmanaged.passUnretained(done).toOpaque())
        let deadline = PollClock.monotonicNow + timeout.nanosecondCount
        while !done.isSet {
            readEvents()
            if isLost { throw SourceUnavailable("the Wayland display '\(name)' closed the connection") }
            if done.isSet { break }
            let left = deadline - PollClock.monotonicNow
            if left <= 0 {
                throw SourceUnavailable("the Wayland display '\(name)' did not answer within \(timeout)")
            }
            var readable = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&readable, 1, Int32(clamping: left / 1_000_000 + 1))
        }
    }

    /// A flag a listener sets.
    final class Flag {
        var isSet = false
    }

    nonisolated(unsafe) private static let syncListener: UnsafeMutablePointer<wl_callback_listener> = {
        let listener = UnsafeMutablePointer<wl_callback_listener>.allocate(capacity: 1)
        listener.initialize(
            to: wl_callback_listener(done: { data, _, _ in
                guard let data else { return }
                Unmanaged<Flag>.fromOpaque(data).takeUnretainedValue().isSet = true
            }))
        return listener
    }()

    nonisolated(unsafe) private static let registryListener: UnsafeMutablePointer<wl_registry_listener> = {
        let listener = UnsafeMutablePointer<wl_registry_listener>.allocate(capacity: 1)
        listener.initialize(
            to: wl_registry_listener(
                global: { data, _, name, interface, version in
                    guard let data, let interface else { return }
                    let connection = Unmanaged<WaylandConnection>.fromOpaque(data).takeUnretainedValue()
                    connection.globals.append(
                        Global(name: name, interface: String(cString: interface), version: version))
                },
                global_remove: { data, _, name in
                    guard let data else { return }
                    let connection = Unmanaged<WaylandConnection>.fromOpaque(data).takeUnretainedValue()
                    connection.globals.removeAll { $0.name == name }
                }))
        return listener
    }()
}
