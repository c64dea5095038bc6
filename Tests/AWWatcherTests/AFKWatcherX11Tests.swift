import AWCore
import AWDatastore
import AWTestSupport
import Foundation
import Testing

@testable import AFKWatcher

/// The AFK watcher against a real X server: input from xdotool, screen saver from xset.
@Suite("AFK watcher on a real X server", .serialized)
struct AFKWatcherX11Tests {
    static let bucket = "aw-watcher-afk_testhost"

    @Test("idle past the timeout is away from the last input; input brings it back; the screen saver is away")
    func transitions() async throws {
        let session = try XSession(windowManager: false)
        defer { session.stop() }
        let watcher = AFKWatcher(configuration: AFKWatcherConfiguration(timeout: 1.5, pollTime: 0.2, display: session.display))
        let store = try Datastore.inMemory()
        var lastInput = Timestamp.now
        var backAt = Timestamp.now
        try await runWatcher(watcher, store: store) { () async throws in
            try session.run(["xdotool", "mousemove", "10", "10"])
            lastInput = .now
            try await Task.sleep(for: .seconds(2.5))
            try session.run(["xdotool", "mousemove", "200", "200"])
            backAt = .now
            try await Task.sleep(for: .seconds(0.6))
            try session.run(["xset", "s", "activate"])
            try await Task.sleep(for: .seconds(0.6))
        }
        let events = try await store.events(bucketID: Self.bucket).reversed().map { $0 }
        #expect(events.map(\.status) == ["not-afk", "afk", "not-afk", "afk"])
        // The away period starts at the last input (within the test's own timing slack) and ends
        // at the input that ended it: edges within a few hundred milliseconds, never a poll late.
        let away = events[1]
        #expect(abs(Double(away.timestamp.nanoseconds(since: lastInput)) / 1e9) < 0.3)
        #expect(abs(Double(away.end.nanoseconds(since: backAt)) / 1e9) < 0.3)
        #expect(abs(Double(events[2].timestamp.nanoseconds(since: backAt)) / 1e9) < 0.3)
        #expect(events[0].end <= away.timestamp)
        let bucket = try store.bucket(id: Self.bucket)
        #expect(bucket.type == "afkstatus" && bucket.client == "aw-watcher-afk")
    }
}
