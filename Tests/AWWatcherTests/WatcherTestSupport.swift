import AWCore
import AWDatastore
import AWServer
import AWWatcherKit
import Logging
import ServiceLifecycle

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
