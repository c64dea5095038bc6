import Foundation
import Synchronization

/// A headless GNOME Shell (Wayland) for one test, run as the unprivileged user `nobody` with a
/// session bus and a private system bus of its own (GNOME Shell aborts without a system bus).
/// Both buses let any user connect, so the test (root) talks to the shell as the user's own
/// programs do. A test-only helper extension (never shipped) lets the test give the focus to a
/// window, which GNOME Shell otherwise refuses to move to a newly opened one.
///
/// GNOME Shell segfaults when it is stopped; the session kills it and ignores how it ended.
public final class GnomeSession: Sendable {
    /// The folder holding everything the session writes.
    private let root: String
    /// The shell user's home.
    public let home: String
    /// The runtime directory.
    public let runtimeDirectory: String
    /// The Wayland socket's full path.
    public let socket: String
    /// The session bus's address.
    public let busAddress: String
    private let systemBusAddress: String
    private let busProcesses = Mutex<[TestProgram]>([])
    private let shell = Mutex<TestProgram?>(nil)
    private let windows = Mutex<[TestProgram]>([])
    private let shellStarts = Mutex(0)

    /// The helper extension's id.
    public static let helperUUID = "aw-test-helper@aw-server-swift.test"
    private static let helperName = "org.activitywatch.AwServerSwift.TestHelper"
    private static let helperPath = "/org/activitywatch/AwServerSwift/TestHelper"

    /// Makes the session's folders and starts its buses; `startShell` starts GNOME Shell.
    ///
    /// - Throws: `SessionError` when gnome-shell is not installed or a bus does not start.
    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/gnome-shell") else {
            throw SessionError("gnome-shell is not installed (Debian: gnome-shell weston)")
        }
        root = NSTemporaryDirectory() + "aw-gnome-" + UUID().uuidString
        home = root + "/home"
        runtimeDirectory = root + "/run"
        socket = runtimeDirectory + "/wl-gnome"
        busAddress = "unix:path=\(root)/bus"
        systemBusAddress = "unix:path=\(root)/system-bus"
        for directory in [root, home, runtimeDirectory] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            chown(directory, 65534, 65534)
        }
        chmod(runtimeDirectory, 0o700)
        let config = root + "/bus.conf"
        try """
        <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
         "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
        <busconfig>
          <include>/usr/share/dbus-1/session.conf</include>
          <policy context="default"><allow user="*"/></policy>
        </busconfig>
        """.write(toFile: config, atomically: true, encoding: .utf8)
        chmod(config, 0o644)
        try writeHelper()
        for address in [systemBusAddress, busAddress] {
            let bus = try TestProgram.start(
                asShellUser(["dbus-daemon", "--config-file=\(config)", "--address=\(address)", "--nofork"]),
                processGroup: true)
            busProcesses.withLock { $0.append(bus) }
        }
        let deadline = Date().addingTimeInterval(20)
        while (try? gdbus("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames")) == nil {
            guard Date() < deadline else {
                stop()
                throw SessionError("the session bus did not start")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    deinit { stop() }

    /// What the shell's user runs: `arguments` as `nobody` with the session's environment only.
    private func asShellUser(_ arguments: [String], environment extra: [String: String] = [:]) -> [String] {
        let variables = [
            "PATH": "/usr/bin:/bin", "HOME": home, "XDG_RUNTIME_DIR": runtimeDirectory,
            "DBUS_SESSION_BUS_ADDRESS": busAddress, "DBUS_SYSTEM_BUS_ADDRESS": systemBusAddress,
            "XDG_CURRENT_DESKTOP": "GNOME", "XDG_SESSION_TYPE": "wayland",
        ].merging(extra) { _, own in own }
        return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", "-i"]
            + variables.map { "\($0.key)=\($0.value)" }.sorted() + arguments
    }

    /// Runs `arguments` as the shell's user, to the end.
    @discardableResult
    public func runAsShellUser(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        try Programs.run(asShellUser(arguments, environment: environment), environment: [:], requireSuccess: true)
    }

    /// The extensions folder of the shell's user.
    public var extensionsFolder: String { home + "/.local/share/gnome-shell/extensions" }

    /// Hands everything under the shell user's home to that user (after the test wrote there).
    public func giveHomeToShellUser() {
        let enumerator = FileManager.default.enumerator(atPath: home)
        chown(home, 65534, 65534)
        while let path = enumerator?.nextObject() as? String { chown(home + "/" + path, 65534, 65534) }
    }

    /// Starts GNOME Shell with the extensions `uuids` (and the test helper) enabled, and waits
    /// until it and the helper answer and the Overview it opens at start is closed.
    public func startShell(enabling uuids: [String]) throws {
        giveHomeToShellUser()
        let list = (uuids + [Self.helperUUID]).map { "'\($0)'" }.joined(separator: ", ")
        try runAsShellUser(["gsettings", "set", "org.gnome.shell", "enabled-extensions", "[\(list)]"])
        try startShell()
    }

    private func startShell() throws {
        try? FileManager.default.removeItem(atPath: socket)
        try? FileManager.default.removeItem(atPath: socket + ".lock")
        let number = shellStarts.withLock { count in
            count += 1
            return count
        }
        let process = try TestProgram.start(
            asShellUser(
                [
                    "gnome-shell", "--headless", "--wayland", "--no-x11", "--virtual-monitor", "1280x720",
                    "--wayland-display", "wl-gnome",
                ], environment: ["MUTTER_DEBUG_RESET_IDLETIME": "1"]),
            output: .file(root + "/gnome-shell-\(number).log"), processGroup: true)
        shell.withLock { $0 = process }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if (try? helper("Windows")) != nil {
                try closeStartupOverview()
                return
            }
            guard process.isRunning else {
                throw SessionError("gnome-shell exited at start (\(process.exitDescription ?? "")): \(shellLog)")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw SessionError("gnome-shell did not start: \(shellLog)")
    }

    /// Closes the Overview GNOME Shell opens at start, and waits until it stays closed (the shell
    /// may open it only after it answers on the bus).
    private func closeStartupOverview() throws {
        let deadline = Date().addingTimeInterval(20)
        var closedSince: Date?
        while Date() < deadline {
            if try isOverviewShown() {
                try setOverview(false)
                closedSince = nil
            } else if let since = closedSince {
                if Date().timeIntervalSince(since) > 1 { return }
            } else {
                closedSince = Date()
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw SessionError("the Overview does not close")
    }

    /// Whether the Overview is open.
    public func isOverviewShown() throws -> Bool {
        try gdbus(
            "org.gnome.Shell", "/org/gnome/Shell", "org.freedesktop.DBus.Properties.Get", "org.gnome.Shell",
            "OverviewActive"
        ).contains("true")
    }

    /// The end of the latest shell's output, for failure messages.
    public var shellLog: String {
        let number = shellStarts.withLock { $0 }
        let text = (try? String(contentsOfFile: root + "/gnome-shell-\(number).log", encoding: .utf8)) ?? ""
        return String(text.suffix(2000))
    }

    /// Kills GNOME Shell (its windows lose their compositor and exit) and starts it again on the
    /// same buses, as a new login does.
    public func restartShell() throws {
        shell.withLock { $0?.kill() }
        windows.withLock { windows in
            for window in windows { window.kill() }
            windows.removeAll()
        }
        try startShell()
    }

    /// The environment a client of this session needs.
    public var environment: [String: String] {
        [
            "XDG_RUNTIME_DIR": runtimeDirectory, "WAYLAND_DISPLAY": socket, "DBUS_SESSION_BUS_ADDRESS": busAddress,
            "XDG_CURRENT_DESKTOP": "GNOME", "XDG_SESSION_TYPE": "wayland",
        ]
    }

    /// Opens a weston-terminal window titled `title` and waits until the shell shows it.
    ///
    /// - Returns: What sets the window's title from now on.
    @discardableResult
    public func openTerminal(title: String) throws -> TerminalTitle {
        let (setter, shellScript) = try TerminalTitle.make(at: root + "/title-\(UUID().uuidString)")
        setter.set(title)
        let window = try TestProgram.start(["weston-terminal", "--shell=\(shellScript)"], environment: environment)
        windows.withLock { $0.append(window) }
        try waitForWindow(title)
        return setter
    }

    /// The titles of the shell's windows, the focused one marked with a leading `*`.
    public func windowTitles() throws -> [String] {
        let reply = try helper("Windows")
        guard let start = reply.firstIndex(of: "["), let end = reply.lastIndex(of: "]"),
            let list = try? JSONSerialization.jsonObject(
                with: Data(
                    reply[start...end].replacingOccurrences(of: "\\'", with: "'").replacingOccurrences(
                        of: "\\\\", with: "\\"
                    ).utf8)) as? [String]
        else { throw SessionError("the helper answered \(reply)") }
        return list
    }

    /// Waits until the shell shows a window titled `title` (or, with `shown` false, none).
    public func waitForWindow(_ title: String, shown: Bool = true) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let titles = try windowTitles().map { $0.hasPrefix("*") ? String($0.dropFirst()) : $0 }
            if titles.contains(title) == shown { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw SessionError(shown ? "no window titled \(title)" : "the window \(title) stays open")
    }

    /// Gives the focus to the window titled `title` and waits until it has it, and keeps it for
    /// 0.3 s (a window opened just before may still take it back).
    public func activate(_ title: String) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            _ = try helper("Activate", "\(title)")
            if try windowTitles().contains("*" + title) {
                Thread.sleep(forTimeInterval: 0.3)
                if try windowTitles().contains("*" + title) { return }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw SessionError("the window \(title) did not get the focus")
    }

    /// Closes the window titled `title`, as its close button would, and waits until it is gone.
    public func close(_ title: String) throws {
        _ = try helper("Close", "\(title)")
        try waitForWindow(title, shown: false)
    }

    /// Opens (`true`) or closes the Overview.
    public func setOverview(_ shown: Bool) throws {
        try gdbus(
            "org.gnome.Shell", "/org/gnome/Shell", "org.freedesktop.DBus.Properties.Set", "org.gnome.Shell",
            "OverviewActive", "<\(shown)>")
    }

    /// Counts as input for GNOME's idle monitor (the shell runs with MUTTER_DEBUG_RESET_IDLETIME).
    public func resetIdleTime() throws {
        try gdbus(
            "org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core",
            "org.gnome.Mutter.IdleMonitor.ResetIdletime")
    }

    /// GNOME's idle monitor's idle time, in milliseconds.
    public func idleTime() throws -> UInt64 {
        let reply = try gdbus(
            "org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core",
            "org.gnome.Mutter.IdleMonitor.GetIdletime")
        guard let value = UInt64(reply.split(separator: " ").last?.filter(\.isNumber) ?? "") else {
            throw SessionError("GetIdletime answered \(reply)")
        }
        return value
    }

    /// Calls a method on the session bus with gdbus.
    @discardableResult
    public func gdbus(_ destination: String, _ path: String, _ method: String, _ arguments: String...) throws
        -> String
    {
        try Programs.run(
            [
                "gdbus", "call", "--session", "--timeout", "5", "--dest", destination, "--object-path", path,
                "--method", method,
            ]
                + arguments, environment: ["DBUS_SESSION_BUS_ADDRESS": busAddress], requireSuccess: true)
    }

    private func helper(_ method: String, _ arguments: String...) throws -> String {
        try Programs.run(
            [
                "gdbus", "call", "--session", "--timeout", "5", "--dest", Self.helperName, "--object-path",
                Self.helperPath, "--method", "\(Self.helperName).\(method)",
            ] + arguments, environment: ["DBUS_SESSION_BUS_ADDRESS": busAddress], requireSuccess: true)
    }

    /// Copies the test helper extension (`Tests/fixtures/gnome-test-helper`, GNOME 43-44 form) into
    /// the shell user's extensions.
    private func writeHelper() throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../fixtures/gnome-test-helper").standardized.path
        let folder = extensionsFolder + "/" + Self.helperUUID
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for file in ["metadata.json", "extension.js"] {
            try FileManager.default.copyItem(atPath: source + "/" + file, toPath: folder + "/" + file)
        }
    }

    /// Stops the windows, the shell and the buses, and removes the session's folder.
    public func stop() {
        windows.withLock { windows in
            for window in windows { window.kill() }
            windows.removeAll()
        }
        shell.withLock { shell in
            shell?.kill()
            shell = nil
        }
        busProcesses.withLock { buses in
            for bus in buses.reversed() { bus.kill() }
            buses.removeAll()
        }
        // What left the process groups (ibus-daemon makes one of its own).
        Programs.killAll(withEnvironment: "DBUS_SESSION_BUS_ADDRESS=\(busAddress)")
        try? FileManager.default.removeItem(atPath: root)
    }
}
