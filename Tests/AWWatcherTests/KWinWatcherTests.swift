import AWCore
import AWDatastore
import AWTestSupport
import AWWayland
import CWaylandProtocols
import Foundation
import Synchronization
import Testing

@testable import AFKWatcher
@testable import WindowWatcher

/// The window and AFK watchers on KDE Plasma's compositor: headless KWin with a private session
/// bus and weston-terminal windows, driven by KWin scripts; activity simulated through KWin's idle
/// protocol.
@Suite("Watchers on a real KWin (KDE Plasma)", .serialized)
struct KWinWatcherTests {
    static let windowBucket = "aw-watcher-window_testhost"
    static let terminal = "org.freedesktop.weston.wayland-terminal"

    func windowWatcher(_ kwin: KWinSession) -> WindowWatcher {
        WindowWatcher(
            configuration: WindowWatcherConfiguration(
                pollTime: 5, waylandDisplay: kwin.socket, sessionBusAddress: kwin.busAddress))
    }

    @Test(
        "records the active window through a KWin script: the window at start, a switch, a UTF-8 caption change, a closed window, with no gaps; the script is unloaded at the end"
    )
    func windows() async throws {
        let kwin = try KWinSession()
        defer { kwin.stop() }
        try kwin.openTerminal(title: "Alpha")
        let beta = try kwin.openTerminal(title: "Beta")
        try kwin.activate("Alpha")
        let watcher = windowWatcher(kwin)
        let report = watcher.sourceReport()
        #expect(report.source == "kwin-script")
        #expect(report.notTaken.map(\.source) == ["wlr-foreign-toplevel", "x11"])
        let store = try Datastore.inMemory()
        // Each change happens somewhere between the moments before and after the script that
        // makes it has run.
        let changes = ChangeMoments()
        try await runWatcher(watcher, store: store) { () async throws in
            #expect(try await eventually { await !recordedEvents(store, Self.windowBucket).isEmpty })
            #expect(try kwin.isScriptLoaded(KWinScriptSampler.pluginName))
            try await Task.sleep(for: .seconds(1))
            try changes.timed { try kwin.activate("Beta") }
            try await Task.sleep(for: .seconds(1))
            try changes.timed {
                beta.set("Ünïcødé 日本 ✓")
                try kwin.waitForCaption("Ünïcødé 日本 ✓")
            }
            try await Task.sleep(for: .seconds(1))
            try changes.timed { try kwin.close("Ünïcødé 日本 ✓") }
            try await Task.sleep(for: .seconds(1))
        }
        #expect(try !kwin.isScriptLoaded(KWinScriptSampler.pluginName))
        let events = try await store.events(bucketID: Self.windowBucket).reversed().map { $0 }
        try #require(events.count == 4, "\(events.map { "\($0.app ?? "") \($0.title ?? "")" })")
        #expect(events.map(\.title).prefix(3) == ["Alpha", "Beta", "Ünïcødé 日本 ✓"])
        #expect(events.map(\.app).prefix(3) == [Self.terminal, Self.terminal, Self.terminal])
        // After the focused window closes, KWin gives the focus to the one left (or to none).
        #expect(["Alpha", "unknown"].contains(events[3].title ?? ""))
        changes.expectTiling(events)
    }

    @Test(
        "a script left by a killed host is replaced; KWin restarting, and the session bus with it, interrupt recording only until they are back"
    )
    func kwinRestarts() async throws {
        let kwin = try KWinSession()
        defer { kwin.stop() }
        try kwin.openTerminal(title: "First")
        // What a host killed before it could unload its script leaves behind: a script under the
        // same name, calling a connection that is gone.
        try kwin.load(
            script: """
                callDBus(":1.9999", "\(KWinScriptSampler.objectPath)", "\(KWinScriptSampler.interface)", "Window", "stale", "stale");
                """, as: KWinScriptSampler.pluginName)
        #expect(try kwin.isScriptLoaded(KWinScriptSampler.pluginName))
        let store = try Datastore.inMemory()
        func recorded(_ title: String) async throws -> Bool {
            try await eventually { await recordedEvents(store, Self.windowBucket).contains { $0.title == title } }
        }
        try await runWatcher(windowWatcher(kwin), store: store) { () async throws in
            #expect(try await recorded("First"))
            try kwin.restartKWin()
            try kwin.openTerminal(title: "Second")
            #expect(try await recorded("Second"))
            try kwin.restartKWin(withBus: true)
            try kwin.openTerminal(title: "Third")
            #expect(try await recorded("Third"))
        }
        #expect(try !kwin.isScriptLoaded(KWinScriptSampler.pluginName))
        let titles = try await store.events(bucketID: Self.windowBucket).reversed().map(\.title)
        #expect(!titles.contains("stale"))
    }

    @Test("idle past the timeout is away from the last input (ext-idle-notify); activity brings it back")
    func idle() async throws {
        let kwin = try KWinSession()
        defer { kwin.stop() }
        let configuration = AFKWatcherConfiguration(timeout: 1.5, pollTime: 0.2, waylandDisplay: kwin.socket)
        #expect(AFKWatcher(configuration: configuration).sourceReport().source == "ext-idle-notify")
        let activity = try UserActivity(socket: kwin.socket)
        try await expectOneAwayPeriod(AFKWatcher(configuration: configuration)) { try activity.simulate() }
    }
}

/// User activity, as KWin counts it: `org_kde_kwin_idle_timeout.simulate_user_activity`.
final class UserActivity {
    let connection: WaylandConnection
    let timeout: OpaquePointer

    init(socket: String) throws {
        connection = try WaylandConnection(name: socket)
        guard let (seat, _) = connection.bind(cwl_seat_interface(), version: 1),
            let (idle, _) = connection.bind(cwl_kde_idle_interface(), version: 1),
            let timeout = org_kde_kwin_idle_get_idle_timeout(idle, seat, 60_000)
        else { throw SessionError("KWin offers no org_kde_kwin_idle") }
        self.timeout = timeout
        try connection.roundtrip()
    }

    func simulate() throws {
        org_kde_kwin_idle_timeout_simulate_user_activity(timeout)
        try connection.roundtrip()
    }
}
