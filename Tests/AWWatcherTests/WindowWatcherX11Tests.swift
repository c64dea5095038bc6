import AWCore
import AWDatastore
import AWTestSupport
import Foundation
import Synchronization
import Testing

@testable import WindowWatcher

/// The window watcher against a real X server (Xvfb + openbox), windows driven with xdotool.
@Suite("Window watcher on a real X server", .serialized)
struct WindowWatcherX11Tests {
    static let bucket = "aw-watcher-window_testhost"

    func watcher(_ session: XSession, poll: Double = 0.2, rules: [PrivacyRule] = []) -> WindowWatcher {
        WindowWatcher(configuration: WindowWatcherConfiguration(pollTime: poll, display: session.display, rules: rules))
    }

    /// Sets a window's WM_NAME as a STRING property holding `bytes` (e.g. Latin-1) and removes
    /// its _NET_WM_NAME, from another X client.
    func setLatin1Title(_ session: XSession, window: String, bytes: [UInt8]) throws {
        let script = """
            import ctypes, sys
            x = ctypes.CDLL("libX11.so.6")
            x.XOpenDisplay.restype = ctypes.c_void_p
            x.XInternAtom.restype = ctypes.c_ulong
            x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
            x.XChangeProperty.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
            x.XDeleteProperty.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
            d = x.XOpenDisplay(None); w = int(sys.argv[1]); title = bytes.fromhex(sys.argv[2])
            x.XChangeProperty(d, w, 39, 31, 8, 0, title, len(title))  # WM_NAME, STRING, replace
            x.XDeleteProperty(d, w, x.XInternAtom(d, b"_NET_WM_NAME", 0))
            x.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]; x.XSync(d, 0)
            """
        try session.run(["python3", "-c", script, window, bytes.map { String(format: "%02x", $0) }.joined()])
    }

    @Test("records app and title of each active window as it changes, decodes every title encoding, and leaves no gaps")
    func switchingWindows() async throws {
        let session = try XSession()
        defer { session.stop() }
        try session.spawn(["xterm", "-T", "Alpha — café", "-class", "AlphaApp"], environment: ["LC_ALL": "C"])
        try session.spawn(
            ["xterm", "-u8", "-T", "Beta ü 😀 ✓", "-class", "BetaApp"], environment: ["LC_ALL": "C.UTF-8"])
        try session.spawn(["xmessage", "-name", "msgbox", "hello"])
        try session.spawn(["xterm", "-T", "gamma", "-class", "GammaApp"])
        let alpha = try session.window(class: "AlphaApp")
        let beta = try session.window(class: "BetaApp")
        let message = try session.window(class: "Xmessage")
        let gamma = try session.window(class: "GammaApp")
        try setLatin1Title(session, window: gamma, bytes: Array("Gamma ".utf8) + [0xE9, 0x74, 0xE9])  // "été" in Latin-1
        try session.activate(alpha)
        let store = try Datastore.inMemory()
        // A 5 s poll: switches and renames are seen when the X server reports them, not at polls.
        // Each switch happens somewhere between the moments before and after its xdotool call.
        let switches = ChangeMoments()
        try await runWatcher(watcher(session, poll: 5), store: store) { () async throws in
            // The first window is recorded once the watcher has connected, however long that
            // takes on a busy machine; only then do the switches begin.
            #expect(try await eventually { await !recordedEvents(store, Self.bucket).isEmpty })
            try await Task.sleep(for: .seconds(1))
            for window in [beta, message, gamma] {
                try switches.timed { try session.activate(window) }
                try await Task.sleep(for: .seconds(1))
            }
            try switches.timed { try session.run(["xdotool", "set_window", "--name", "Renamed – ñ", gamma]) }
            try await Task.sleep(for: .seconds(1))
        }
        let events = try await store.events(bucketID: Self.bucket).reversed().map { $0 }
        #expect(events.map(\.app) == ["AlphaApp", "BetaApp", "Xmessage", "GammaApp", "GammaApp"])
        #expect(events.map(\.title) == ["Alpha — café", "Beta ü 😀 ✓", "msgbox", "Gamma été", "Renamed – ñ"])
        switches.expectTiling(events)
        let bucket = try store.bucket(id: Self.bucket)
        #expect(bucket.type == "currentwindow" && bucket.client == "aw-watcher-window")
    }

    @Test("the active window closing: the watcher goes on, recording 'unknown' until a window is active again")
    func closingWindows() async throws {
        let session = try XSession()
        defer { session.stop() }
        try session.spawn(["xterm", "-T", "doomed", "-class", "DoomedApp"])
        let doomed = try session.window(class: "DoomedApp")
        try session.activate(doomed)
        let store = try Datastore.inMemory()
        try await runWatcher(watcher(session, poll: 0.05), store: store) { () async throws in
            #expect(
                try await eventually { await recordedEvents(store, Self.bucket).contains { $0.app == "DoomedApp" } })
            try session.run(["xdotool", "windowkill", doomed])
            #expect(try await eventually { await recordedEvents(store, Self.bucket).contains { $0.app == "unknown" } })
            try session.spawn(["xterm", "-T", "newcomer", "-class", "NewcomerApp"])
            try session.activate(try session.window(class: "NewcomerApp"))
            #expect(
                try await eventually { await recordedEvents(store, Self.bucket).contains { $0.app == "NewcomerApp" } })
        }
        let apps = await recordedEvents(store, Self.bucket).reversed().map(\.app)
        #expect(apps == ["DoomedApp", "unknown", "NewcomerApp"])
    }

    @Test("privacy rules drop windows and rewrite titles before anything is stored")
    func privacyRules() async throws {
        let session = try XSession()
        defer { session.stop() }
        try session.spawn(["xterm", "-T", "vault: bank password", "-class", "SecretApp"])
        try session.spawn(["xterm", "-T", "● main.swift - project", "-class", "Code"])
        let secret = try session.window(class: "SecretApp")
        let code = try session.window(class: "Code")
        try session.activate(code)
        let rules = [
            PrivacyRule(app: "^secretapp$", ignoreCase: true, drop: true),
            PrivacyRule(app: "^Code$", title: "^● (.*) - (.*)$", replaceTitle: "$1 ($2)"),
        ]
        let store = try Datastore.inMemory()
        try await runWatcher(watcher(session, rules: rules), store: store) { () async throws in
            #expect(try await eventually { await !recordedEvents(store, Self.bucket).isEmpty })
            try await Task.sleep(for: .milliseconds(800))
            try session.activate(secret)
            try await Task.sleep(for: .milliseconds(800))
            try session.activate(code)
            try await Task.sleep(for: .milliseconds(800))
        }
        // (A switch may pass through a moment with no active window, recorded as "unknown".)
        let events = try await store.events(bucketID: Self.bucket).reversed().filter { $0.app != "unknown" }
        try #require(events.map(\.title) == ["main.swift (project)", "main.swift (project)"])
        #expect(!events.contains { $0.app == "SecretApp" || ($0.title ?? "").contains("password") })
        #expect(events[0].end < events[1].timestamp)  // the dropped window's time is not recorded
    }

    @Test("without a window manager the input focus is used")
    func noWindowManager() async throws {
        let session = try XSession(windowManager: false)
        defer { session.stop() }
        let window = try session.openWindow(["xterm", "-T", "focused", "-class", "FocusApp"], class: "FocusApp")
        try session.run(["xdotool", "windowfocus", "--sync", window])
        let store = try Datastore.inMemory()
        try await runWatcher(watcher(session), store: store) { () async throws in
            #expect(try await eventually { await recordedEvents(store, Self.bucket).contains { $0.app == "FocusApp" } })
        }
    }

    @Test("the X server dying does not end the watcher: it reconnects when a new one starts")
    func serverRestart() async throws {
        let session = try XSession()
        defer { session.stop() }
        try session.spawn(["xterm", "-T", "before", "-class", "BeforeApp"])
        try session.activate(try session.window(class: "BeforeApp"))
        let store = try Datastore.inMemory()
        try await runWatcher(watcher(session), store: store) { () async throws in
            #expect(
                try await eventually { await recordedEvents(store, Self.bucket).contains { $0.app == "BeforeApp" } })
            session.killServer()
            try await Task.sleep(for: .seconds(1.5))
            try session.restartServer()
            try session.spawn(["xterm", "-T", "after", "-class", "AfterApp"])
            try session.activate(try session.window(class: "AfterApp"))
            #expect(
                try await eventually(20) { await recordedEvents(store, Self.bucket).contains { $0.app == "AfterApp" } })
        }
    }
}
