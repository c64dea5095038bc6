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
        let watcher = AFKWatcher(
            configuration: AFKWatcherConfiguration(timeout: 1.5, pollTime: 0.2, display: session.display))
        let store = try Datastore.inMemory()
        var lastInput = Timestamp.now
        var backAt = Timestamp.now
        try await runWatcher(watcher, store: store) { () async throws in
            // Input until the watcher has recorded its first state, however long it takes to
            // start on a busy machine; the away period begins at the last of these moves.
            var step = 0
            #expect(
                try await eventually {
                    step += 1
                    try session.run(["xdotool", "mousemove", "\(10 + step % 2)", "10"])
                    lastInput = .now
                    return await !recordedEvents(store, Self.bucket).isEmpty
                })
            try await Task.sleep(for: .seconds(2.5))
            try session.run(["xdotool", "mousemove", "200", "200"])
            backAt = .now
            try await Task.sleep(for: .seconds(0.6))
            try session.run(["xset", "s", "activate"])
            try await Task.sleep(for: .seconds(0.6))
        }
        let recorded = try await store.events(bucketID: Self.bucket).reversed().map { $0 }
        // On a busy machine one step of the start-up loop can take longer than the timeout, which
        // the watcher rightly records as away; what is checked starts at the state that held at
        // the loop's last input.
        let settled = recorded.lastIndex {
            $0.status == "not-afk" && Double($0.timestamp.nanoseconds(since: lastInput)) / 1e9 < 0.3
        }
        let events = Array(recorded[(settled ?? 0)...])
        try #require(
            events.map(\.status) == ["not-afk", "afk", "not-afk", "afk"],
            "\(events.map { "\($0.status ?? "") at \(Double($0.timestamp.nanoseconds(since: lastInput)) / 1e9) s for \($0.durationSeconds) s" })"
        )
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

    /// Sets `_SCREENSAVER_STATUS` on the root window as the XScreenSaver daemon does: the atom
    /// `LOCK` (or 0 when the screen is back), the time, and one item per screen.
    func setXScreenSaverStatus(_ session: XSession, locked: Bool) throws {
        let script = """
            import ctypes, sys, time
            x = ctypes.CDLL("libX11.so.6")
            x.XOpenDisplay.restype = ctypes.c_void_p
            x.XDefaultRootWindow.restype = ctypes.c_ulong
            x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
            x.XInternAtom.restype = ctypes.c_ulong
            x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
            x.XChangeProperty.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
            x.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
            d = x.XOpenDisplay(None)
            state = x.XInternAtom(d, b"LOCK", 0) if sys.argv[1] == "lock" else 0
            items = (ctypes.c_long * 3)(state, int(time.time()), 0)
            x.XChangeProperty(d, x.XDefaultRootWindow(d), x.XInternAtom(d, b"_SCREENSAVER_STATUS", 0), 19, 32, 0, items, 3)
            x.XSync(d, 0)
            """
        try session.run(["python3", "-c", script, locked ? "lock" : "unlock"])
    }

    @Test("a screen locked by the XScreenSaver daemon is away from the last input, before the timeout")
    func xscreensaverLock() async throws {
        let session = try XSession(windowManager: false)
        defer { session.stop() }
        let watcher = AFKWatcher(
            configuration: AFKWatcherConfiguration(timeout: 60, pollTime: 0.2, display: session.display))
        let store = try Datastore.inMemory()
        try await runWatcher(watcher, store: store) { () async throws in
            try session.run(["xdotool", "mousemove", "10", "10"])
            try await Task.sleep(for: .seconds(0.5))
            try setXScreenSaverStatus(session, locked: true)
            #expect(
                try await eventually(5) { await recordedEvents(store, Self.bucket).contains { $0.status == "afk" } })
            try setXScreenSaverStatus(session, locked: false)
            try session.run(["xdotool", "mousemove", "300", "300"])
            #expect(try await eventually(5) { await recordedEvents(store, Self.bucket).first?.status == "not-afk" })
        }
        let events = await recordedEvents(store, Self.bucket).reversed().map(\.status)
        #expect(events == ["not-afk", "afk", "not-afk"])
    }
}
