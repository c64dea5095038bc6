/// What a watcher module reports through. Inside `aw-server` it is a client that calls the server
/// directly; any other implementation (over HTTP, say) serves a module just as well.
public protocol WatcherClient: Sendable {
    /// Creates the bucket; a bucket that exists already is fine.
    ///
    /// - Throws: when the bucket cannot be created (the server is unreachable, the disk full).
    func ensureBucket(_ bucket: Bucket) async throws

    /// Records a heartbeat: it extends the bucket's last event when it continues it (equal data,
    /// within `pulsetime` seconds of its end), otherwise starts a new event.
    ///
    /// - Throws: when the heartbeat cannot be recorded.
    func heartbeat(_ event: Event, bucketID: String, pulsetime: Double) async throws

    /// Inserts whole events into a bucket.
    ///
    /// - Throws: when the events cannot be recorded.
    func insertEvents(_ events: [Event], bucketID: String) async throws
}
