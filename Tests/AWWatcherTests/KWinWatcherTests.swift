import AWCore
import AWDatastore
import AWTestSupport
import AWWayland
import CWaylandProtocols
import Foundation
import Testing

@testable import AFKWatcher

/// The AFK watcher on KDE Plasma's compositor: headless KWin with a private session bus, activity
/// simulated through KWin's idle protocol.
@Suite("AFK watcher on a real KWin (KDE Plasma)", .serialized)
struct KWinWatcherTests {
    static let afkBucket = "aw-watcher-afk_testhost"

    @Test("idle past the timeout is away from the last input (ext-idle-notify); activity brings it back")
    func idle() async throws {
        let kwin = try KWinSession()
        defer { kwin.stop() }
        let configuration = AFKWatcherConfiguration(timeout: 1.5, pollTime: 0.2, waylandDisplay: kwin.socket)
        #expect(AFKWatcher(configuration: configuration).sourceReport().source == "ext-idle-notify")
        let activity = try UserActivity(socket: kwin.socket)
        let store = try Datastore.inMemory()
        var lastInput = Timestamp.now
        var backAt = Timestamp.now
        try await runWatcher(AFKWatcher(configuration: configuration), store: store) { () async throws in
            #expect(
                try await eventually {
                    try activity.simulate()
                    lastInput = .now
                    return await !recordedEvents(store, Self.afkBucket).isEmpty
                })
            try await Task.sleep(for: .seconds(2.5))
            try activity.simulate()
            backAt = .now
            try await Task.sleep(for: .seconds(0.5))
        }
        let events = try await store.events(bucketID: Self.afkBucket).reversed().map { $0 }
        try #require(
            events.map(\.status) == ["not-afk", "afk", "not-afk"],
            "\(events.map { "\($0.status ?? "") at \(Double($0.timestamp.nanoseconds(since: lastInput)) / 1e9) s for \($0.durationSeconds) s" })"
        )
        #expect(abs(Double(events[1].timestamp.nanoseconds(since: lastInput)) / 1e9) < 0.3)
        #expect(abs(Double(events[1].end.nanoseconds(since: backAt)) / 1e9) < 0.3)
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
