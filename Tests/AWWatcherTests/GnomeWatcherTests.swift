import AWCore
import AWDBus
import AWDatastore
import AWGnomeShell
import AWTestSupport
import AWWatcherKit
import Foundation
import Testing

@testable import AFKWatcher
@testable import WindowWatcher

/// The window and AFK watchers on GNOME (Wayland): headless GNOME Shell 43 with the project's
/// extension, weston-terminal windows given the focus through a test-only helper extension, and
/// GNOME's idle monitor driven through its test hook (`ResetIdletime`).
@Suite("Watchers on a real GNOME Shell", .serialized)
struct GnomeWatcherTests {
    static let windowBucket = "aw-watcher-window_testhost"
    static let terminal = "org.freedesktop.weston.wayland-terminal"

    func windowWatcher(_ gnome: GnomeSession) -> WindowWatcher {
        WindowWatcher(
            configuration: WindowWatcherConfiguration(
                pollTime: 5, waylandDisplay: gnome.socket, sessionBusAddress: gnome.busAddress))
    }

    /// Installs the extension's files as `aw-server gnome-extension install` writes them.
    func installExtension(_ gnome: GnomeSession) throws {
        try GnomeShellExtension.write(
            into: gnome.extensionsFolder + "/" + GnomeShellExtension.uuid, forShell: 43)
    }

    @Test(
        "records the focused window through the extension: the window at start, a switch, a UTF-8 title change, the Overview as no window, a closed window, with no gaps"
    )
    func windows() async throws {
        let gnome = try GnomeSession()
        defer { gnome.stop() }
        try installExtension(gnome)
        try gnome.startShell(enabling: [GnomeShellExtension.uuid])
        try gnome.openTerminal(title: "Alpha")
        let beta = try gnome.openTerminal(title: "Beta")
        try gnome.activate("Alpha")
        let watcher = windowWatcher(gnome)
        let report = watcher.sourceReport()
        #expect(report.source == "gnome-shell-extension", "\(report.summary)")
        #expect(report.notTaken.map(\.source) == ["wlr-foreign-toplevel", "kwin-script", "x11"])
        let store = try Datastore.inMemory()
        let changes = ChangeMoments()
        try await runWatcher(watcher, store: store) { () async throws in
            #expect(try await eventually { await !recordedEvents(store, Self.windowBucket).isEmpty })
            try await Task.sleep(for: .seconds(1))
            try changes.timed { try gnome.activate("Beta") }
            try await Task.sleep(for: .seconds(1))
            try changes.timed {
                beta.set("Ünïcødé 日本 ✓")
                try gnome.waitForWindow("Ünïcødé 日本 ✓")
            }
            try await Task.sleep(for: .seconds(1))
            try changes.timed { try gnome.setOverview(true) }
            try await Task.sleep(for: .seconds(1))
            try changes.timed { try gnome.setOverview(false) }
            try await Task.sleep(for: .seconds(1))
            try changes.timed { try gnome.close("Ünïcødé 日本 ✓") }
            try await Task.sleep(for: .seconds(1))
        }
        let events = try await store.events(bucketID: Self.windowBucket).reversed().map { $0 }
        try #require(events.count == 6, "\(events.map { "\($0.app ?? "") \($0.title ?? "")" })")
        #expect(events.map(\.title).prefix(5) == ["Alpha", "Beta", "Ünïcødé 日本 ✓", "unknown", "Ünïcødé 日本 ✓"])
        #expect(events.map(\.app).prefix(3) == [Self.terminal, Self.terminal, Self.terminal])
        #expect(events[3].app == "unknown")
        // After the focused window closes, GNOME gives the focus to the one left (or to none).
        #expect(["Alpha", "unknown"].contains(events[5].title ?? ""))
        changes.expectTiling(events)
    }

    @Test(
        "without the extension the module says how to install it and records nothing; once a new shell loads it, recording starts without restarting the module"
    )
    func extensionArrives() async throws {
        let gnome = try GnomeSession()
        defer { gnome.stop() }
        try gnome.startShell(enabling: [GnomeShellExtension.uuid])
        try gnome.openTerminal(title: "Before")
        let watcher = windowWatcher(gnome)
        let report = watcher.sourceReport()
        #expect(report.source == nil)
        #expect(report.reason.contains("aw-server gnome-extension install"), "\(report.reason)")
        let store = try Datastore.inMemory()
        try await runWatcher(watcher, store: store) { () async throws in
            try await Task.sleep(for: .seconds(2))
            #expect(await recordedEvents(store, Self.windowBucket).isEmpty)
            try installExtension(gnome)
            try gnome.restartShell()  // what logging in again does
            try gnome.openTerminal(title: "After")
            try gnome.activate("After")  // a loaded shell may not give a new window the focus
            #expect(
                try await eventually { await recordedEvents(store, Self.windowBucket).contains { $0.title == "After" } }
            )
        }
        #expect(watcher.sourceReport().source == "gnome-shell-extension")
    }

    @Test("idle past the timeout is away from the last input (GNOME's idle monitor); activity brings it back")
    func idle() async throws {
        let gnome = try GnomeSession()
        defer { gnome.stop() }
        try gnome.startShell(enabling: [])
        let configuration = AFKWatcherConfiguration(
            timeout: 1.5, pollTime: 0.2, waylandDisplay: gnome.socket, sessionBusAddress: gnome.busAddress)
        let report = AFKWatcher(configuration: configuration).sourceReport()
        #expect(report.source == "mutter-idle-monitor", "\(report.summary)")
        try gnome.resetIdleTime()  // the shell counts its start as the last input
        try await expectOneAwayPeriod(AFKWatcher(configuration: configuration)) { try gnome.resetIdleTime() }
    }

    @Test("source choice: GNOME Shell on the bus with or without the extension; GNOME named but not on the bus")
    func sourceChoice() {
        let session = DesktopSession(
            waylandDisplay: "wl", sessionType: "wayland", desktops: ["GNOME"], x11Display: ":0")
        let mutter = ["wl_seat": UInt32(8)]
        let ready = WindowSource.choose(
            on: session, configured: nil, globals: mutter, connectionError: nil, kwinOnBus: .success(false),
            gnomeShell: GnomeShellPresence(onBus: true, extensionAnswers: true))
        #expect(ready.source == .gnome && ready.report.source == "gnome-shell-extension")
        let missing = WindowSource.choose(
            on: session, configured: nil, globals: mutter, connectionError: nil, kwinOnBus: .success(false),
            gnomeShell: GnomeShellPresence(onBus: true, extensionAnswers: false))
        #expect(missing.source == .gnome && missing.report.source == nil)
        #expect(missing.report.reason.contains("aw-server gnome-extension install"))
        let absent = WindowSource.choose(
            on: session, configured: nil, globals: mutter, connectionError: nil, kwinOnBus: .success(false),
            gnomeShell: GnomeShellPresence(onBus: false, extensionAnswers: false))
        #expect(absent.source == nil)
        #expect(
            absent.report.reason.contains(
                "XDG_CURRENT_DESKTOP says GNOME, but org.gnome.Shell is not on the session bus"))
        let noBus = WindowSource.choose(
            on: session, configured: nil, globals: mutter, connectionError: nil,
            kwinOnBus: .failure(DBusFailure(name: "org.freedesktop.DBus.Error.NoServer", message: "no bus here")))
        #expect(noBus.source == nil && noBus.report.reason.contains("no session bus (no bus here)"))

        let idle = IdleSource.choose(
            on: session, configured: nil, globals: mutter, connectionError: nil, mutterOnBus: .success(true))
        #expect(idle.source == .mutter)
        let noMonitor = IdleSource.choose(
            on: session, configured: nil, globals: mutter, connectionError: nil, mutterOnBus: .success(false))
        #expect(noMonitor.source == nil)
        #expect(noMonitor.report.reason.contains("org.gnome.Mutter.IdleMonitor is not on the session bus"))
        #expect(IdleSource.asksBus(on: session, globals: ["ext_idle_notifier_v1": 1]))
        let kde = DesktopSession(waylandDisplay: "wl", sessionType: "wayland", desktops: ["KDE"], x11Display: nil)
        #expect(!IdleSource.asksBus(on: kde, globals: ["ext_idle_notifier_v1": 1]))
        #expect(IdleSource.asksBus(on: kde, globals: ["wl_seat": 1]))
    }
}
