import AWCore
import AWDatastore
import AWQuery
import Logging

/// Everything aw-server does, independent of HTTP: the one place where bucket, event, heartbeat,
/// import and settings rules live. The REST layer decodes requests and calls it; in-process
/// watcher modules call it directly.
///
/// Method names follow the Python aw-server's `ServerAPI`.
public final class ServerAPI: Sendable {
    /// Where buckets, events and settings are stored.
    public let datastore: any EventStore
    /// What the server reports about itself.
    public let info: ServerInfo
    /// The server's recent log records, if logging keeps them.
    public let recentLogRecords: RecentLogRecords?
    /// How long a query may run and how much it may read.
    public let queryLimits: QueryLimits
    let logger: Logger

    /// Creates the API over a datastore.
    public init(
        datastore: any EventStore, info: ServerInfo, recentLogRecords: RecentLogRecords? = nil,
        queryLimits: QueryLimits = QueryLimits(), logger: Logger = Logger(label: "aw.server")
    ) {
        self.datastore = datastore
        self.info = info
        self.recentLogRecords = recentLogRecords
        self.queryLimits = queryLimits
        self.logger = logger
    }

    /// Server information: hostname, version, testing mode and device id.
    public func getInfo() -> ServerInfo { info }

    /// All buckets by id.
    public func getBuckets() async throws(DatastoreError) -> [String: Bucket] {
        Dictionary(uniqueKeysWithValues: try await datastore.buckets().map { ($0.id, $0) })
    }

    /// One bucket with its metadata.
    ///
    /// - Throws: `DatastoreError.bucketNotFound`.
    public func getBucketMetadata(bucketID: String) async throws(DatastoreError) -> Bucket {
        try await datastore.bucket(id: bucketID)
    }

    /// Creates a bucket, with optional initial events.
    ///
    /// A hostname of `!local` is replaced by this server's hostname, and the server's device id
    /// is added to the bucket's data (the browser watcher relies on this).
    ///
    /// - Returns: The bucket as stored.
    /// - Throws: `DatastoreError.bucketAlreadyExists`, or a storage error.
    @discardableResult
    public func createBucket(_ bucket: Bucket, events: [Event] = []) async throws(DatastoreError) -> Bucket {
        var bucket = bucket
        if bucket.hostname == "!local" {
            bucket.hostname = info.hostname
            bucket.data["device_id"] = .string(info.deviceID)
        }
        try await datastore.createBucket(bucket)
        if !events.isEmpty { _ = try await datastore.insertEvents(events, bucketID: bucket.id) }
        logger.info("created bucket", metadata: ["bucket.id": "\(bucket.id)"])
        return try await datastore.bucket(id: bucket.id)
    }

    /// Changes a bucket's type, client, hostname or data (`nil` keeps a field).
    ///
    /// - Throws: `DatastoreError.bucketNotFound`, or a storage error.
    public func updateBucket(
        bucketID: String,
        type: String? = nil,
        client: String? = nil,
        hostname: String? = nil,
        data: [String: JSON]? = nil
    ) async throws(DatastoreError) {
        try await datastore.updateBucket(id: bucketID, type: type, client: client, hostname: hostname, data: data)
    }

    /// Deletes a bucket and its events.
    ///
    /// - Throws: `DatastoreError.bucketNotFound`, or a storage error.
    public func deleteBucket(bucketID: String) async throws(DatastoreError) {
        try await datastore.deleteBucket(id: bucketID)
        logger.info("deleted bucket", metadata: ["bucket.id": "\(bucketID)"])
    }

    /// One event, unclipped.
    ///
    /// - Throws: `DatastoreError.eventNotFound` or `.bucketNotFound`.
    public func getEvent(bucketID: String, eventID: Int64) async throws(DatastoreError) -> Event {
        try await datastore.event(id: eventID, bucketID: bucketID)
    }

    /// Events overlapping `[start, end]`, clipped to it, newest first, at most `limit`.
    ///
    /// - Throws: `DatastoreError.bucketNotFound`, or a storage error.
    public func getEvents(bucketID: String, limit: Int? = nil, start: Timestamp? = nil, end: Timestamp? = nil)
        async throws(DatastoreError) -> [Event]
    {
        HeapMemory.noteLargeRequest()
        return try await datastore.events(bucketID: bucketID, start: start, end: end, limit: limit)
    }

    /// The same events as `getEvents`, as the JSON array the REST API sends, streamed in chunks.
    ///
    /// - Throws: `DatastoreError.bucketNotFound`.
    public func getEventsJSON(bucketID: String, limit: Int? = nil, start: Timestamp? = nil, end: Timestamp? = nil)
        async throws(DatastoreError) -> JSONChunkStream
    {
        HeapMemory.noteLargeRequest()
        return try await datastore.eventsJSON(bucketID: bucketID, start: start, end: end, limit: limit)
    }

    /// Stores events; returns them with their ids.
    ///
    /// - Throws: `DatastoreError.bucketNotFound`, or a storage error.
    public func createEvents(bucketID: String, events: [Event]) async throws(DatastoreError) -> [Event] {
        HeapMemory.noteLargeRequest()
        return try await datastore.insertEvents(events, bucketID: bucketID)
    }

    /// Stores events whose data is canonical JSON text (the bulk path of `POST …/events`).
    ///
    /// - Throws: `DatastoreError.bucketNotFound`, or a storage error.
    public func createEvents(bucketID: String, events: [EncodedEvent]) async throws(DatastoreError) -> [EncodedEvent] {
        HeapMemory.noteLargeRequest()
        return try await datastore.insertEvents(events, bucketID: bucketID)
    }

    /// Stores the events `decode` sends to the feed as it reads them (the bulk path of
    /// `POST …/events`: storing begins before the body is read to its end), all or none.
    ///
    /// - Returns: the stored events with their ids, or `decode`'s error (nothing is stored then).
    /// - Throws: `DatastoreError.bucketNotFound`, or a storage error.
    public func createEvents(bucketID: String, decoding decode: (EventFeed) throws(EventDecodingError) -> Void)
        async throws(DatastoreError) -> Result<[EncodedEvent], EventDecodingError>
    {
        HeapMemory.noteLargeRequest()
        return try await datastore.insertEvents(bucketID: bucketID, decoding: decode)
    }

    /// How many events overlap `[start, end]`.
    ///
    /// - Throws: `DatastoreError.bucketNotFound`, or a storage error.
    public func getEventCount(bucketID: String, start: Timestamp? = nil, end: Timestamp? = nil)
        async throws(DatastoreError) -> Int
    {
        try await datastore.eventCount(bucketID: bucketID, start: start, end: end)
    }

    /// Deletes one event.
    ///
    /// - Throws: `DatastoreError.eventNotFound` or `.bucketNotFound`, or a storage error.
    public func deleteEvent(bucketID: String, eventID: Int64) async throws(DatastoreError) {
        try await datastore.deleteEvent(id: eventID, bucketID: bucketID)
    }

    /// Records a heartbeat (see `EventStore.heartbeat`); returns the merged or new event.
    ///
    /// - Throws: `DatastoreError.bucketNotFound`, or a storage error.
    public func heartbeat(bucketID: String, event: Event, pulsetime: Double) async throws(DatastoreError) -> Event {
        try await datastore.heartbeat(event, bucketID: bucketID, pulsetime: pulsetime)
    }

    /// The server's recent log records, newest first.
    public func getLog(limit: Int? = nil) -> [LogRecord] {
        recentLogRecords?.newestFirst(limit: limit) ?? []
    }

    /// All settings.
    public func getSettings() async throws(DatastoreError) -> [String: JSON] {
        try await datastore.settings()
    }

    /// One setting, `nil` when unset.
    public func getSetting(key: String) async throws(DatastoreError) -> JSON? {
        try await datastore.setting(key)
    }

    /// Stores a setting.
    public func setSetting(key: String, value: JSON) async throws(DatastoreError) {
        try await datastore.setSetting(key, to: value)
    }

    /// Removes a setting.
    public func deleteSetting(key: String) async throws(DatastoreError) {
        try await datastore.deleteSetting(key)
    }
}
