import Foundation
import Synchronization

/// A headless sway compositor for one test: its own runtime directory and socket, run as the
/// unprivileged user `nobody` when the tests run as root (sway refuses to run as root), with no
/// input devices. Windows are foot terminals started through sway's IPC, so they run as the
/// compositor's user (as XWayland clients must).
public final class SwaySession: Sendable {
    /// The runtime directory holding the sockets.
    public let runtimeDirectory: String
    /// The Wayland socket's full path: what a watcher's `wayland_display` names.
    public let socket: String
    private let home: String
    private let config: String
    private let server = Mutex<TestProgram?>(nil)

    /// Starts sway and waits for its sockets.
    ///
    /// - Throws: `SessionError` when sway is not installed or does not start.
    public init() throws {
        let root = NSTemporaryDirectory() + "aw-sway-" + UUID().uuidString
        runtimeDirectory = root + "/run"
        home = root + "/home"
        for directory in [runtimeDirectory, home] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let config = root + "/sway.conf"
        try "output HEADLESS-1 resolution 1280x720\nfocus_on_window_activation focus\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        if getuid() == 0 {
            for path in [root, runtimeDirectory, home, config] { chown(path, 65534, 65534) }
        }
        chmod(runtimeDirectory, 0o700)
        socket = runtimeDirectory + "/wayland-1"
        self.config = config
        try start()
    }

    deinit { stop() }

    /// Starts sway again after `kill()`, on the same socket.
    public func restart() throws {
        try? FileManager.default.removeItem(atPath: socket)
        try? FileManager.default.removeItem(atPath: socket + ".lock")
        for file in (try? FileManager.default.contentsOfDirectory(atPath: runtimeDirectory)) ?? []
        where file.hasPrefix("sway-ipc.") {
            try? FileManager.default.removeItem(atPath: runtimeDirectory + "/" + file)
        }
        for file
            in (try? FileManager.default.contentsOfDirectory(
                atPath: (runtimeDirectory as NSString).deletingLastPathComponent)) ?? []
        where file.hasPrefix("title-") {
            try? FileManager.default.removeItem(
                atPath: (runtimeDirectory as NSString).deletingLastPathComponent + "/" + file)
        }
        try start()
    }

    private func start() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sway") else {
            throw SessionError("sway is not installed (Debian: sway foot wtype xwayland)")
        }
        let sway = ["sway", "-c", config]
        let process = try TestProgram.start(
            [
                "env", "-i", "PATH=/usr/bin:/bin", "HOME=\(home)", "XDG_RUNTIME_DIR=\(runtimeDirectory)",
                "WLR_BACKENDS=headless", "WLR_LIBINPUT_NO_DEVICES=1", "WLR_RENDERER=pixman", "WLR_HEADLESS_OUTPUTS=1",
            ] + (getuid() == 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + sway : sway))
        server.withLock { $0 = process }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: socket), ipcSocket != nil { return }
            guard process.isRunning else {
                throw SessionError("sway exited at start (\(process.exitDescription ?? ""))")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw SessionError("sway did not open \(socket)")
    }

    /// sway's IPC socket, once it exists.
    private var ipcSocket: String? {
        (try? FileManager.default.contentsOfDirectory(atPath: runtimeDirectory))?
            .first { $0.hasPrefix("sway-ipc.") }.map { runtimeDirectory + "/" + $0 }
    }

    /// The environment a client of this compositor needs.
    public var environment: [String: String] {
        ["XDG_RUNTIME_DIR": runtimeDirectory, "WAYLAND_DISPLAY": socket, "SWAYSOCK": ipcSocket ?? ""]
    }

    /// Runs a program against this compositor and returns what it printed.
    @discardableResult
    public func run(_ arguments: [String]) throws -> String {
        try Programs.run(arguments, environment: environment, requireSuccess: true)
    }

    /// Sends sway one command.
    public func command(_ command: String) throws {
        try run(["swaymsg", command])
    }

    /// Opens a foot terminal with `appID` and `title`, and waits until sway shows it.
    ///
    /// - Returns: What sets the terminal's title from now on (an OSC 2 sequence it prints).
    @discardableResult
    public func openTerminal(appID: String, title: String) throws -> TerminalTitle {
        let (setter, shell) = try TerminalTitle.make(
            at: (runtimeDirectory as NSString).deletingLastPathComponent + "/title-\(appID)")
        try command("exec foot --app-id=\(appID) --title=\"\(title)\" \(shell)")
        try waitForWindow { $0.contains("\"app_id\": \"\(appID)\"") }
        return setter
    }

    /// Opens an X11 program through XWayland (as the compositor's user) and waits for its window
    /// of class `windowClass`.
    public func openX11Window(_ program: String, windowClass: String) throws {
        try command("exec \(program)")
        try waitForWindow { $0.contains("\"class\": \"\(windowClass)\"") }
    }

    /// Waits until sway shows a window titled `title`.
    public func waitForTitle(_ title: String) throws {
        try waitForWindow { tree in
            guard let root = try? JSONSerialization.jsonObject(with: Data(tree.utf8)) else { return false }
            func contains(_ node: Any) -> Bool {
                guard let node = node as? [String: Any] else { return false }
                if node["name"] as? String == title { return true }
                return ((node["nodes"] as? [Any] ?? []) + (node["floating_nodes"] as? [Any] ?? [])).contains(
                    where: contains)
            }
            return contains(root)
        }
    }

    private func waitForWindow(_ shown: (String) -> Bool) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if shown(try run(["swaymsg", "-t", "get_tree"])) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw SessionError("the window did not appear")
    }

    /// Kills sway (as a crash would) and with it every window.
    public func kill() {
        server.withLock { server in
            server?.kill()
            server = nil
        }
    }

    /// Stops everything.
    public func stop() {
        kill()
        // Anything of this session that outlived the kill (its XWayland, or a sway whose parent
        // went first) would hold a display number other tests start X servers on.
        Programs.killAll(withEnvironment: "XDG_RUNTIME_DIR=\(runtimeDirectory)")
        try? FileManager.default.removeItem(atPath: (runtimeDirectory as NSString).deletingLastPathComponent)
    }
}

/// A test session that could not be set up.
public struct SessionError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
