import AWCore
import AWDBus
import AWDatastore
import AWTestSupport
import AWWatcherKit
import Foundation
import Synchronization
import Testing

@testable import AFKWatcher
@testable import WindowWatcher

/// The window and AFK watchers in a real Wayland session: headless sway with foot terminals and
/// an XWayland window; input from wtype and sway's seat commands.
@Suite("Watchers on a real Wayland compositor (sway)", .serialized)
struct WaylandWatcherTests {
    static let windowBucket = "aw-watcher-window_testhost"
    static let afkBucket = "aw-watcher-afk_testhost"

    @Test(
        "records each focused window (native and XWayland), title changes in UTF-8, an empty workspace and a closed window, with no gaps"
    )
    func windows() async throws {
        let sway = try SwaySession()
        defer { sway.stop() }
        try sway.openTerminal(appID: "term-a", title: "Alpha")
        let beta = try sway.openTerminal(appID: "term-b", title: "Beta")
        try sway.openX11Window("xterm -class XApp -T XTitle", windowClass: "XApp")
        try sway.command("[app_id=\"term-a\"] focus")
        let watcher = WindowWatcher(
            configuration: WindowWatcherConfiguration(pollTime: 5, waylandDisplay: sway.socket))
        let store = try Datastore.inMemory()
        // Each change happens somewhere between the moments before and after the command.
        let changes = ChangeMoments()
        try await runWatcher(watcher, store: store) { () async throws in
            #expect(try await eventually { await !recordedEvents(store, Self.windowBucket).isEmpty })
            try await Task.sleep(for: .seconds(1))
            try changes.timed { try sway.command("[app_id=\"term-b\"] focus") }
            try await Task.sleep(for: .seconds(1))
            try changes.timed {
                beta.set("Ünïcødé 日本 ✓")
                try sway.waitForTitle("Ünïcødé 日本 ✓")  // the terminal prints it when it gets to it
            }
            try await Task.sleep(for: .seconds(1))
            try changes.timed { try sway.command("[class=\"XApp\"] focus") }
            try await Task.sleep(for: .seconds(1))
            try changes.timed { try sway.command("workspace 2") }
            try await Task.sleep(for: .seconds(1))
            try changes.timed { try sway.command("workspace 1") }
            try await Task.sleep(for: .seconds(1))
            try changes.timed { try sway.command("[class=\"XApp\"] kill") }
            try await Task.sleep(for: .seconds(1))
        }
        let events = try await store.events(bucketID: Self.windowBucket).reversed().map { $0 }
        try #require(events.count == 7, "\(events.map { "\($0.app ?? "") \($0.title ?? "")" })")
        #expect(events.map(\.app).prefix(6) == ["term-a", "term-b", "term-b", "XApp", "unknown", "XApp"])
        #expect(events.map(\.title).prefix(6) == ["Alpha", "Beta", "Ünïcødé 日本 ✓", "XTitle", "unknown", "XTitle"])
        // After the XWayland window is killed, sway focuses one of the terminals left.
        #expect(["term-a", "term-b"].contains(events[6].app ?? ""))
        changes.expectTiling(events)
    }

    @Test(
        "idle past the timeout is away from the last input (org_kde_kwin_idle); a key press or pointer move brings it back"
    )
    func idle() async throws {
        let sway = try SwaySession()
        defer { sway.stop() }
        let watcher = AFKWatcher(
            configuration: AFKWatcherConfiguration(timeout: 1.5, pollTime: 0.2, waylandDisplay: sway.socket))
        let store = try Datastore.inMemory()
        var lastInput = Timestamp.now
        var backAt = [Timestamp]()
        try await runWatcher(watcher, store: store) { () async throws in
            // Input until the watcher has recorded its first state; away begins at the last one.
            #expect(
                try await eventually {
                    try sway.command("seat seat0 cursor move 1 1")
                    lastInput = .now
                    return await !recordedEvents(store, Self.afkBucket).isEmpty
                })
            try await Task.sleep(for: .seconds(2.5))
            try sway.run(["wtype", "-k", "Return"])
            backAt.append(.now)
            try await Task.sleep(for: .seconds(2.5))
            try sway.command("seat seat0 cursor move 5 5")
            backAt.append(.now)
            try await Task.sleep(for: .seconds(0.5))
        }
        let events = withoutAwayAfterTheEnd(
            try await store.events(bucketID: Self.afkBucket).reversed().map { $0 }, lastInput: backAt[1])
        try #require(
            events.map(\.status) == ["not-afk", "afk", "not-afk", "afk", "not-afk"],
            "\(events.map { "\($0.status ?? "") at \(Double($0.timestamp.nanoseconds(since: lastInput)) / 1e9) s for \($0.durationSeconds) s" })"
        )
        // Away starts at the last input and ends at the input that ended it, within the test's
        // own timing slack; the second away period starts at the key press (the last input).
        #expect(abs(Double(events[1].timestamp.nanoseconds(since: lastInput)) / 1e9) < 0.3)
        #expect(abs(Double(events[1].end.nanoseconds(since: backAt[0])) / 1e9) < 0.3)
        #expect(abs(Double(events[3].timestamp.nanoseconds(since: backAt[0])) / 1e9) < 1.3)
        #expect(abs(Double(events[3].end.nanoseconds(since: backAt[1])) / 1e9) < 0.3)
        for (earlier, later) in zip(events, events.dropFirst()) { #expect(earlier.end <= later.timestamp) }
    }

    @Test("the compositor crashing does not end the watchers: they record again when it is back")
    func compositorRestart() async throws {
        let sway = try SwaySession()
        defer { sway.stop() }
        try sway.openTerminal(appID: "before", title: "Before")
        let watcher = WindowWatcher(
            configuration: WindowWatcherConfiguration(pollTime: 0.2, waylandDisplay: sway.socket))
        let store = try Datastore.inMemory()
        try await runWatcher(watcher, store: store) { () async throws in
            #expect(
                try await eventually { await recordedEvents(store, Self.windowBucket).contains { $0.app == "before" } })
            sway.kill()
            try await Task.sleep(for: .seconds(1))
            try sway.restart()
            try sway.openTerminal(appID: "after", title: "After")
            #expect(
                try await eventually(40) {
                    await recordedEvents(store, Self.windowBucket).contains { $0.app == "after" }
                })
        }
    }

    @Test("sources: wlroots on sway; none on a compositor without the protocols (weston), with the reason")
    func sourceChoice() throws {
        let sway = try SwaySession()
        defer { sway.stop() }
        let window = WindowWatcher(configuration: WindowWatcherConfiguration(waylandDisplay: sway.socket))
            .sourceReport()
        #expect(window.source == "wlr-foreign-toplevel")
        #expect(window.notTaken.map(\.source) == ["kwin-script", "x11"])
        let afk = AFKWatcher(configuration: AFKWatcherConfiguration(waylandDisplay: sway.socket)).sourceReport()
        #expect(afk.source == "kde-idle")
        #expect(afk.notTaken.map(\.source) == ["ext-idle-notify", "x11"])

        let session = DesktopSession(waylandDisplay: "wl", sessionType: "wayland", desktops: ["KDE"], x11Display: ":0")
        let kwin = ["wl_seat": UInt32(7), "ext_idle_notifier_v1": 1, "org_kde_kwin_idle": 1]
        #expect(
            IdleSource.choose(on: session, configured: nil, globals: kwin, connectionError: nil).source
                == .extIdleNotify)
        let kde = WindowSource.choose(
            on: session, configured: nil, globals: kwin, connectionError: nil, kwinOnBus: .success(true))
        #expect(kde.source == .kwin)
        #expect(kde.report.notTaken.map(\.source) == ["wlr-foreign-toplevel", "x11"])
        let noKWin = WindowSource.choose(
            on: session, configured: nil, globals: kwin, connectionError: nil, kwinOnBus: .success(false))
        #expect(noKWin.source == nil && noKWin.report.reason.contains("org.kde.KWin is not on the session bus"))
        let noBus = WindowSource.choose(
            on: session, configured: nil, globals: kwin, connectionError: nil,
            kwinOnBus: .failure(DBusFailure(name: "org.freedesktop.DBus.Error.NoServer", message: "no bus here")))
        #expect(noBus.source == nil && noBus.report.reason.contains("no session bus (no bus here)"))
        let x11 = DesktopSession(waylandDisplay: nil, sessionType: "x11", desktops: [], x11Display: ":0")
        #expect(WindowSource.choose(on: x11, configured: nil, globals: nil, connectionError: nil).source == .x11)
        #expect(IdleSource.choose(on: x11, configured: nil, globals: nil, connectionError: nil).source == .x11)
    }
}
