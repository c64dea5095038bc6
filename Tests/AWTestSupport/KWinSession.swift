import Foundation
import Synchronization

/// A headless KWin 5 (`kwin_wayland --virtual`) for one test, with a private D-Bus session bus
/// and weston-terminal windows. KWin's binary carries a file capability that some sandboxes refuse
/// to exec, so a copy (which drops it) runs; `KWIN_WAYLAND_NO_PERMISSION_CHECKS` lets test
/// clients use its restricted protocols. The test drives and inspects KWin through KWin scripts,
/// whose `print` output KWin writes to its log.
public final class KWinSession: Sendable {
    /// The folder holding the runtime directory, the bus socket and KWin's copy.
    private let root: String
    /// The runtime directory.
    public let runtimeDirectory: String
    /// The Wayland socket's full path.
    public let socket: String
    /// The private session bus's address.
    public let busAddress: String
    private let processes = Mutex<[TestProgram]>([])
    private let compositor = Mutex<TestProgram?>(nil)
    private let bus = Mutex<TestProgram?>(nil)
    private let scripts = Mutex(0)
    /// KWin's output.
    private var log: String { root + "/kwin.log" }

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
        try startBus()
        try startKWin()
    }

    /// Starts the session bus.
    private func startBus() throws {
        try? FileManager.default.removeItem(atPath: root + "/bus")
        let process = try spawn([
            "dbus-daemon", "--config-file=/usr/share/dbus-1/session.conf", "--address=\(busAddress)", "--nofork",
        ])
        bus.withLock { $0 = process }
    }

    /// Starts KWin and waits for it on its socket and on the bus.
    private func startKWin() throws {
        let process = try spawn(
            [
                root + "/kwin_wayland", "--virtual", "--socket", "wl-kwin", "--no-lockscreen", "--width", "1280",
                "--height", "720",
            ],
            environment: ["KWIN_WAYLAND_NO_PERMISSION_CHECKS": "1", "QT_QPA_PLATFORM": "offscreen"], outputFile: log)
        compositor.withLock { $0 = process }
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

    /// Kills KWin (as a crash would; its windows go with it), and with `bus` the session bus too,
    /// and starts them again on the same socket and bus address.
    public func restartKWin(withBus restartsBus: Bool = false) throws {
        for case let process? in [compositor.withLock { $0 }] + (restartsBus ? [bus.withLock { $0 }] : []) {
            process.kill()
            processes.withLock { $0.removeAll { $0 === process } }
        }
        try? FileManager.default.removeItem(atPath: socket)
        try? FileManager.default.removeItem(atPath: socket + ".lock")
        if restartsBus { try startBus() }
        try startKWin()
    }

    /// Opens a weston-terminal window titled `title` and waits until KWin shows it.
    ///
    /// - Returns: What sets the window's title from now on.
    @discardableResult
    public func openTerminal(title: String) throws -> TerminalTitle {
        let (setter, shell) = try TerminalTitle.make(at: root + "/title-\(UUID().uuidString)")
        setter.set(title)
        try spawn(["weston-terminal", "--shell=\(shell)"])
        try waitForCaption(title)
        return setter
    }

    /// Waits until KWin shows a window captioned `caption` (or, with `shown` false, none).
    public func waitForCaption(_ caption: String, shown: Bool = true) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let captions = try evaluate("workspace.clientList().forEach(function (c) { emit(c.caption); });")
            if captions.contains(caption) == shown { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw SessionError(shown ? "no window captioned \(caption)" : "the window \(caption) stays open")
    }

    /// Gives the focus to the window captioned `caption`.
    public func activate(_ caption: String) throws {
        try forWindow(caption, "workspace.activeClient = c;")
    }

    /// Closes the window captioned `caption`, as its close button would, and waits until it is gone.
    public func close(_ caption: String) throws {
        try forWindow(caption, "c.closeWindow();")
        try waitForCaption(caption, shown: false)
    }

    /// Runs `action` (a script statement on `c`) for the window captioned `caption`.
    private func forWindow(_ caption: String, _ action: String) throws {
        let found = try evaluate(
            """
            workspace.clientList().forEach(function (c) {
                if (c.caption === \(Self.javaScript(caption))) { \(action) emit("found"); }
            });
            """)
        guard found == ["found"] else { throw SessionError("no window captioned \(caption)") }
    }

    /// Whether KWin has a script loaded under `name`.
    public func isScriptLoaded(_ name: String) throws -> Bool {
        try run([
            "dbus-send", "--session", "--print-reply=literal", "--dest=org.kde.KWin", "/Scripting",
            "org.kde.kwin.Scripting.isScriptLoaded", "string:\(name)",
        ]).contains("true")
    }

    /// Loads `source` as a KWin script named `name` and runs it, leaving it loaded.
    public func load(script source: String, as name: String) throws {
        let file = root + "/\(name).js"
        try source.write(toFile: file, atomically: true, encoding: .utf8)
        try scripting("loadScript", "string:\(file)", "string:\(name)")
        try scripting("start")
    }

    /// Runs `body` as a KWin script and returns what it passed to `emit(text)`, once KWin has run
    /// all of it; then unloads it.
    @discardableResult
    public func evaluate(_ body: String) throws -> [String] {
        let number = scripts.withLock { value in
            value += 1
            return value
        }
        let marker = "aw-test-\(number)"
        try load(
            script: """
                (function () {
                function emit(text) { print("\(marker) " + text); }
                \(body)
                print("\(marker) end");
                })();
                """, as: marker)
        defer { try? scripting("unloadScript", "string:\(marker)") }
        let prefix = "js: \(marker) "
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
            if lines.last == "end" { return lines.dropLast() }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw SessionError("KWin did not run the script \(marker)")
    }

    /// Calls `method` of KWin's scripting interface; for a few seconds after a restart KWin's name on the
    /// bus may still be on its way from the killed process to the new one, so a refused call is
    /// tried again until then.
    private func scripting(_ method: String, _ arguments: String...) throws {
        let command =
            [
                "dbus-send", "--session", "--print-reply", "--dest=org.kde.KWin", "/Scripting",
                "org.kde.kwin.Scripting.\(method)",
            ] + arguments
        let deadline = Date().addingTimeInterval(10)
        while true {
            do {
                try run(command)
                return
            } catch  where Date() < deadline {
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
    }

    /// `text` as a JavaScript string literal.
    private static func javaScript(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }

    deinit { stop() }

    /// The environment a client of this session needs.
    public var environment: [String: String] {
        ["XDG_RUNTIME_DIR": runtimeDirectory, "WAYLAND_DISPLAY": socket, "DBUS_SESSION_BUS_ADDRESS": busAddress]
    }

    @discardableResult
    private func spawn(_ arguments: [String], environment extra: [String: String] = [:], outputFile: String? = nil)
        throws -> TestProgram
    {
        let process = try TestProgram.start(
            arguments, environment: environment.merging(extra) { _, b in b },
            output: outputFile.map { .file($0) } ?? .discard)
        processes.withLock { $0.append(process) }
        return process
    }

    /// Runs a program in this session and returns what it printed.
    @discardableResult
    public func run(_ arguments: [String]) throws -> String {
        try Programs.run(arguments, environment: environment, requireSuccess: true)
    }

    /// Stops the windows, KWin and the bus (started in the reverse order).
    public func stop() {
        processes.withLock { processes in
            for process in processes.reversed() { process.kill() }
            processes.removeAll()
        }
        Programs.killAll(withEnvironment: "XDG_RUNTIME_DIR=\(runtimeDirectory)")
        try? FileManager.default.removeItem(atPath: root)
    }
}
