import AWCore
import AWWatcherKit
import AWWayland
import CWaylandProtocols
import Logging

/// The window watcher's source on wlroots compositors (sway, Hyprland, labwc, niri, river,
/// Wayfire): `zwlr_foreign_toplevel_manager_v1`, which announces every window with its app id
/// (the WM_CLASS class for XWayland windows), title and states. Event-driven: a `done` that
/// changes the focused window or its title calls for a sample at once.
struct WlrWindowSampler: EventSampler {
    /// The version this source speaks (3 adds only the parent event).
    static let version: UInt32 = 3

    let connection: WaylandConnection
    private let context: Context
    private var recorder: WindowRecorder
    let interval: Duration

    /// What the listeners update: the window list, and the manager's end.
    final class Context {
        let toplevels = ToplevelList()
        var finished = false
    }

    /// Binds the toplevel manager on `connection` and reads the windows already open.
    ///
    /// - Throws: `SourceUnavailable` when the compositor does not offer it or does not answer.
    init(connection: WaylandConnection, configuration: WindowWatcherConfiguration, logger: Logger)
        throws(SourceUnavailable)
    {
        guard let (manager, _) = connection.bind(cwl_foreign_toplevel_manager_interface(), version: Self.version)
        else {
            throw SourceUnavailable(
                "the Wayland compositor '\(connection.name)' does not offer zwlr_foreign_toplevel_manager_v1")
        }
        self.connection = connection
        context = Context()
        recorder = WindowRecorder(configuration: configuration, logger: logger)
        interval = .milliseconds(Int64(configuration.pollTime * 1000))
        _ = zwlr_foreign_toplevel_manager_v1_add_listener(
            manager, Self.managerListener, Unmanaged.passUnretained(context).toOpaque())
        // The windows already open arrive now, each with its details and a done.
        try connection.roundtrip()
        try connection.roundtrip()
    }

    var descriptor: Int32 { connection.descriptor }
    var isLost: Bool { connection.isLost || context.finished }

    mutating func readEvents() -> Bool {
        connection.readEvents()
        return context.toplevels.takeChange()
    }

    mutating func sample(at clock: PollClock) -> [Heartbeat] {
        _ = context.toplevels.takeChange()
        return recorder.observe(context.toplevels.activeWindow, at: clock.wall)
    }

    mutating func finish(at clock: PollClock) -> [Heartbeat] {
        recorder.finish(at: clock.wall)
    }

    private static func key(_ handle: OpaquePointer?) -> UInt {
        UInt(bitPattern: handle.map { Int(bitPattern: UnsafeRawPointer($0)) } ?? 0)
    }

    private static func context(_ data: UnsafeMutableRawPointer?) -> Context? {
        data.map { Unmanaged<Context>.fromOpaque($0).takeUnretainedValue() }
    }

    nonisolated(unsafe) private static let managerListener:
        UnsafeMutablePointer<zwlr_foreign_toplevel_manager_v1_listener> = {
            let listener = UnsafeMutablePointer<zwlr_foreign_toplevel_manager_v1_listener>.allocate(capacity: 1)
            listener.initialize(
                to: .init(
                    toplevel: { data, _, handle in
                        guard let handle else { return }
                        _ = zwlr_foreign_toplevel_handle_v1_add_listener(handle, handleListener, data)
                    },
                    finished: { data, _ in context(data)?.finished = true }))
            return listener
        }()

    nonisolated(unsafe) private static let handleListener:
        UnsafeMutablePointer<zwlr_foreign_toplevel_handle_v1_listener> = {
            let listener = UnsafeMutablePointer<zwlr_foreign_toplevel_handle_v1_listener>.allocate(capacity: 1)
            listener.initialize(
                to: .init(
                    title: { data, handle, title in
                        context(data)?.toplevels.title(key(handle), title.map { String(cString: $0) } ?? "")
                    },
                    app_id: { data, handle, appID in
                        context(data)?.toplevels.appID(key(handle), appID.map { String(cString: $0) } ?? "")
                    },
                    output_enter: { _, _, _ in },
                    output_leave: { _, _, _ in },
                    state: { data, handle, states in
                        var activated = false
                        if let states, let values = states.pointee.data {
                            let count = states.pointee.size / MemoryLayout<UInt32>.size
                            let items = values.bindMemory(to: UInt32.self, capacity: count)
                            activated = (0..<count).contains {
                                items[$0] == ZWLR_FOREIGN_TOPLEVEL_HANDLE_V1_STATE_ACTIVATED.rawValue
                            }
                        }
                        context(data)?.toplevels.state(key(handle), activated: activated)
                    },
                    done: { data, handle in context(data)?.toplevels.done(key(handle)) },
                    closed: { data, handle in
                        context(data)?.toplevels.closed(key(handle))
                        if let handle { zwlr_foreign_toplevel_handle_v1_destroy(handle) }
                    },
                    parent: { _, _, _ in }))
            return listener
        }()
}
