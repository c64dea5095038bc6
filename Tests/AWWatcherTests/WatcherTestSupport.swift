import AWCore
import AWDatastore
import AWServer
import AWWatcherKit
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// Runs a watcher module inside a service group against a real (in-memory) datastore, as
/// `aw-server` does, for the duration of `body`; then shuts it down gracefully.
func runWatcher(
    _ module: some WatcherModule, store: Datastore, hostname: String = "testhost", during body: () async throws -> Void
) async throws {
    let api = ServerAPI(datastore: store, info: ServerInfo(hostname: hostname, testing: true, deviceID: "d"))
    let context = WatcherContext(
        client: LocalClient(api: api), logger: Logger(label: "test-watcher"), hostname: hostname, testing: true)
    let group = ServiceGroup(
        configuration: .init(services: [module.makeService(context: context)], logger: Logger(label: "test-group")))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            try await body()
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

/// Waits until `condition` holds, checking every 50 ms, for at most `seconds`.
func eventually(_ seconds: Double = 30, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// The events of `bucketID`, newest first; none while the watcher has not created the bucket yet.
func recordedEvents(_ store: Datastore, _ bucketID: String) async -> [Event] {
    (try? await store.events(bucketID: bucketID)) ?? []
}

extension Event {
    var app: String? { data["app"]?.stringValue }
    var title: String? { data["title"]?.stringValue }
    var status: String? { data["status"]?.stringValue }
}

/// When a test's scripted window changes happened: each somewhere between the moment before its
/// command and the moment after.
final class ChangeMoments: Sendable {
    private let moments = Mutex<[(before: Date, after: Date)]>([])

    /// Makes one change, noting the moments around it.
    func timed(_ change: () throws -> Void) rethrows {
        let before = Date()
        try change()
        moments.withLock { $0.append((before, Date())) }
    }

    /// Expects `events` (oldest first) to tile time, each ending where the next begins, and each
    /// event between two changes to last as long as those changes are apart (within 0.1 s).
    func expectTiling(_ events: [Event], sourceLocation: SourceLocation = #_sourceLocation) {
        for (earlier, later) in zip(events, events.dropFirst()) {
            #expect(
                earlier.end == later.timestamp, "a gap between \(earlier.title ?? "") and \(later.title ?? "")",
                sourceLocation: sourceLocation)
        }
        let moments = moments.withLock { $0 }
        for (event, (start, end)) in zip(events.dropFirst().dropLast(), zip(moments, moments.dropFirst())) {
            let shortest = end.before.timeIntervalSince(start.after) - 0.1
            let longest = end.after.timeIntervalSince(start.before) + 0.1
            #expect(
                (shortest...longest).contains(event.durationSeconds),
                "\(event.title ?? ""): \(event.durationSeconds) s, changes \(shortest)...\(longest) s apart",
                sourceLocation: sourceLocation)
        }
    }
}

/// Runs an AFK watcher (with a timeout of 1.5 s) through one away period: `input` until it has
/// recorded its first state, 2.5 s without input, `input` once more. Expects "not-afk", "afk" from
/// the last input, and "not-afk" from the input that ended it, each edge within 0.3 s (the test's
/// own timing slack).
func expectOneAwayPeriod(
    _ watcher: some WatcherModule, input: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let bucket = "aw-watcher-afk_testhost"
    let store = try Datastore.inMemory()
    var lastInput = Timestamp.now
    var backAt = Timestamp.now
    try await runWatcher(watcher, store: store) { () async throws in
        #expect(
            try await eventually {
                try input()
                lastInput = .now
                return await !recordedEvents(store, bucket).isEmpty
            }, sourceLocation: sourceLocation)
        try await Task.sleep(for: .seconds(2.5))
        try input()
        backAt = .now
        try await Task.sleep(for: .seconds(0.5))
    }
    let events = withoutAwayAfterTheEnd(
        try await store.events(bucketID: bucket).reversed().map { $0 }, lastInput: backAt,
        sourceLocation: sourceLocation)
    try #require(
        events.map(\.status) == ["not-afk", "afk", "not-afk"],
        "\(events.map { "\($0.status ?? "") at \(Double($0.timestamp.nanoseconds(since: lastInput)) / 1e9) s for \($0.durationSeconds) s" })",
        sourceLocation: sourceLocation)
    #expect(abs(Double(events[1].timestamp.nanoseconds(since: lastInput)) / 1e9) < 0.3, sourceLocation: sourceLocation)
    #expect(abs(Double(events[1].end.nanoseconds(since: backAt)) / 1e9) < 0.3, sourceLocation: sourceLocation)
}

/// `events` (AFK, oldest first) without a last "afk" that began at `lastInput` (within 0.3 s):
/// on a loaded machine the watcher may stop more than its timeout after a test's last input, and
/// then it rightly records that away period too.
func withoutAwayAfterTheEnd(
    _ events: [Event], lastInput: Timestamp, sourceLocation: SourceLocation = #_sourceLocation
) -> [Event] {
    guard events.count > 1, let last = events.last, last.status == "afk",
        events[events.count - 2].status == "not-afk"
    else { return events }
    #expect(abs(Double(last.timestamp.nanoseconds(since: lastInput)) / 1e9) < 0.3, sourceLocation: sourceLocation)
    return Array(events.dropLast())
}
