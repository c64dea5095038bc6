import Foundation
import Synchronization

/// A private X server for a test: Xvfb on a free display, with openbox as window manager,
/// plus helpers to open windows and drive them with xdotool. Everything it starts is stopped
/// when the session is stopped or released.
public final class XSession: Sendable {
    /// The display name, e.g. `:23`.
    public let display: String
    private let server: Mutex<TestProgram?>
    private let children = Mutex<[TestProgram]>([])

    /// Starts Xvfb and, unless `windowManager` is false, openbox.
    public init(windowManager: Bool = true) throws {
        let (process, display) = try Self.startServer(display: nil)
        self.display = display
        server = Mutex(process)
        if windowManager { try startWindowManager() }
    }

    deinit { stop() }

    private static func startServer(display: String?) throws -> (TestProgram, String) {
        // Xvfb writes the display's number to `-displayfd` once it takes connections (on the
        // display named, or the first free one); it exits without writing when it cannot.
        let arguments =
            ["Xvfb"] + (display.map { [$0] } ?? []) + [
                "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-displayfd", "1",
            ]
        let errors = NSTemporaryDirectory() + "aw-xvfb-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: errors) }
        let process = try TestProgram.start(arguments, output: .pipe(errors: errors))
        var number = ""
        while !number.hasSuffix("\n") {
            let byte = process.output?.readData(ofLength: 1) ?? Data()
            guard !byte.isEmpty else {
                let said = ((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "").suffix(500)
                throw XSessionError("Xvfb exited before taking connections on \(display ?? "a free display"): \(said)")
            }
            number += String(decoding: byte, as: UTF8.self)
        }
        let name = ":" + number.trimmingCharacters(in: .whitespacesAndNewlines)
        try waitForSocket(name)
        return (process, name)
    }

    /// Where an X server listens for `display` (`:N`) in the file system; the abstract socket
    /// has the same name.
    private static func socketPath(_ display: String) -> String { "/tmp/.X11-unix/X" + display.dropFirst() }

    private static func waitForSocket(_ display: String) throws {
        let socket = socketPath(display)
        for _ in 0..<100 {
            if FileManager.default.fileExists(atPath: socket) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw XSessionError("Xvfb did not open \(socket)")
    }

    /// Starts openbox and waits until it manages the screen; starts it again should it exit
    /// first (as it does when the X server was not yet taking connections).
    public func startWindowManager() throws {
        var windowManager = try spawn(["openbox", "--sm-disable"])
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if (try? run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"]))?.contains("window id") == true { return }
            if !windowManager.isRunning { windowManager = try spawn(["openbox", "--sm-disable"]) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw XSessionError("openbox did not start")
    }

    /// Kills the X server (as a crash would) and everything started on it. The display stays
    /// this session's until `restartServer()`: this process holds the display's abstract socket,
    /// so an X server started meanwhile elsewhere (another test's, or a Wayland compositor's
    /// XWayland) takes another display number.
    public func killServer() {
        stopServer()
        heldDisplay.withLock { held in
            guard held == nil else { return }
            let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let name = Array(Self.socketPath(display).utf8)
            withUnsafeMutableBytes(of: &address.sun_path) { path in
                path[0] = 0  // the abstract namespace
                for (index, byte) in name.enumerated() { path[index + 1] = byte }
            }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + 1 + name.count)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
            }
            if bound == 0 && listen(descriptor, 1) == 0 { held = descriptor } else { close(descriptor) }
        }
    }

    /// The socket holding this session's display while its X server is down.
    private let heldDisplay = Mutex<Int32?>(nil)

    private func releaseDisplay() {
        heldDisplay.withLock { held in
            if let held { close(held) }
            held = nil
        }
    }

    private var lockFile: String { "/tmp/.X\(display.dropFirst())-lock" }

    private func stopServer() {
        children.withLock { children in
            for child in children { child.send(SIGTERM) }
            children.removeAll()
        }
        server.withLock { server in
            server?.kill()
            server = nil
        }
        try? FileManager.default.removeItem(atPath: Self.socketPath(display))
        try? FileManager.default.removeItem(atPath: lockFile)
    }

    /// Starts a new X server on the same display after `killServer()`.
    public func restartServer(windowManager: Bool = true) throws {
        releaseDisplay()
        let (process, _) = try Self.startServer(display: display)
        server.withLock { $0 = process }
        if windowManager { try startWindowManager() }
    }

    /// Stops everything.
    public func stop() {
        stopServer()
        releaseDisplay()
    }

    /// Starts a program on this display in the background.
    @discardableResult
    public func spawn(_ arguments: [String], environment: [String: String] = [:]) throws -> TestProgram {
        let process = try TestProgram.start(
            arguments, environment: environment.merging(["DISPLAY": display]) { own, _ in own })
        children.withLock { $0.append(process) }
        return process
    }

    /// Runs a program on this display and returns what it printed.
    @discardableResult
    public func run(_ arguments: [String]) throws -> String {
        try Programs.run(arguments, environment: ["DISPLAY": display], requireSuccess: false)
    }

    /// The id of the first mapped window of `windowClass`, waiting for it to appear.
    public func window(class windowClass: String) throws -> String {
        for _ in 0..<400 {
            if let id = try run(["xdotool", "search", "--onlyvisible", "--class", windowClass]).split(separator: "\n")
                .first
            {
                return String(id)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw XSessionError("no window of class \(windowClass) appeared")
    }

    /// Starts `arguments` (a program that opens one window of `windowClass`) and returns the
    /// window's id once it is mapped. A program that exits before its window appears, or shows
    /// none within 10 s, is started again, three times at most: on an X server without a window
    /// manager an xterm now and then never showed its window.
    public func openWindow(_ arguments: [String], class windowClass: String) throws -> String {
        var outcome = "no attempt"
        for _ in 0..<3 {
            let process = try spawn(arguments)
            for _ in 0..<200 {
                if let id = try run(["xdotool", "search", "--onlyvisible", "--class", windowClass])
                    .split(separator: "\n").first
                {
                    return String(id)
                }
                if !process.isRunning { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            outcome = process.exitDescription.map { "ended with \($0)" } ?? "still running"
        }
        throw XSessionError(
            "no window of class \(windowClass) appeared after three starts (\(arguments[0]) \(outcome))")
    }

    /// Makes a window the active one and waits until it is.
    /// A window found by `window(class:)` may not be mapped yet, and then the window manager
    /// refuses to activate it (and may focus it on its own later); so this retries until the
    /// X server reports the window active.
    public func activate(_ window: String) throws {
        for _ in 0..<200 {
            try run(["xdotool", "windowactivate", "--sync", window])
            if let active = UInt(
                try run(["xdotool", "getactivewindow"]).trimmingCharacters(in: .whitespacesAndNewlines)),
                active == UInt(window)
            {
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw XSessionError("window \(window) did not become active")
    }
}

/// A failure setting up the X test session.
public struct XSessionError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
