import AWCore
import AWDatastore

/// The client watcher modules use inside `aw-server`: it calls `ServerAPI` directly, with no
/// HTTP and no JSON in between.
public struct LocalClient: WatcherClient {
    let api: ServerAPI

    public init(api: ServerAPI) {
        self.api = api
    }

    public func ensureBucket(_ bucket: Bucket) async throws {
        do {
            try await api.createBucket(bucket)
        } catch .bucketAlreadyExists {
            return
        }
    }

    public func heartbeat(_ event: Event, bucketID: String, pulsetime: Double) async throws {
        _ = try await api.heartbeat(bucketID: bucketID, event: event, pulsetime: pulsetime)
    }

    public func insertEvents(_ events: [Event], bucketID: String) async throws {
        _ = try await api.createEvents(bucketID: bucketID, events: events)
    }
}
