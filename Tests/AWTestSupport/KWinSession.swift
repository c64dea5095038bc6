import Foundation
import Synchronization

/// A headless KWin (`kwin_wayland --virtual`) for one test, with a private D-Bus session bus.
/// KWin's binary carries a file capability that some sandboxes refuse to exec, so a copy (which
/// drops it) runs; `KWIN_WAYLAND_NO_PERMISSION_CHECKS` lets test clients use its restricted
/// protocols.
public final class KWinSession: Sendable {
    /// The folder holding the runtime directory, the bus socket and KWin's copy.
    private let root: String
    /// The runtime directory.
    public let runtimeDirectory: String
    /// The Wayland socket's full path.
    public let socket: String
    /// The private session bus's address.
    public let busAddress: String
    private let processes = Mutex<[Process]>([])

    /// Starts the bus and KWin and waits for KWin on both.
    ///
    /// - Throws: `SessionError` when KWin is not installed or does not start.
    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/kwin_wayland") else {
            throw SessionError("kwin_wayland is not installed (Debian: kwin-wayland)")
        }
        root = NSTemporaryDirectory() + "aw-kwin-" + UUID().uuidString
        runtimeDirectory = root + "/run"
        try FileManager.default.createDirectory(atPath: runtimeDirectory, withIntermediateDirectories: true)
        chmod(runtimeDirectory, 0o700)
        socket = runtimeDirectory + "/wl-kwin"
        busAddress = "unix:path=\(root)/bus"
        try FileManager.default.copyItem(atPath: "/usr/bin/kwin_wayland", toPath: root + "/kwin_wayland")
        try spawn([
            "dbus-daemon", "--config-file=/usr/share/dbus-1/session.conf", "--address=\(busAddress)", "--nofork",
        ])
        try spawn(
            [
                root + "/kwin_wayland", "--virtual", "--socket", "wl-kwin", "--no-lockscreen", "--width", "1280",
                "--height", "720",
            ],
            environment: ["KWIN_WAYLAND_NO_PERMISSION_CHECKS": "1", "QT_QPA_PLATFORM": "offscreen"])
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: socket),
                (try? run([
                    "dbus-send", "--session", "--print-reply", "--dest=org.kde.KWin", "/Scripting",
                    "org.freedesktop.DBus.Peer.Ping",
                ])) != nil
            {
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        stop()
        throw SessionError("kwin_wayland did not start")
    }

    deinit { stop() }

    /// The environment a client of this session needs.
    public var environment: [String: String] {
        ["XDG_RUNTIME_DIR": runtimeDirectory, "WAYLAND_DISPLAY": socket, "DBUS_SESSION_BUS_ADDRESS": busAddress]
    }

    @discardableResult
    private func spawn(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Process {
        let process = try Programs.spawn(arguments, environment: environment.merging(extra) { _, b in b })
        processes.withLock { $0.append(process) }
        return process
    }

    /// Runs a program in this session and returns what it printed.
    @discardableResult
    public func run(_ arguments: [String]) throws -> String {
        try Programs.run(arguments, environment: environment, requireSuccess: true)
    }

    /// Stops KWin and the bus (started in that order, stopped in the reverse).
    public func stop() {
        processes.withLock { processes in
            for process in processes.reversed() where process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            processes.removeAll()
        }
        try? FileManager.default.removeItem(atPath: root)
    }
}
