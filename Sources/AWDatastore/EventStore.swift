import AWCore

/// Where aw-server keeps buckets, events and settings: an SQLite file (`Datastore`, the
/// default) or a PostgreSQL database shared by several servers (`PostgresStore`).
///
/// Every store follows the same rules, so the REST API, queries and watchers behave the same on
/// either:
/// - A heartbeat merges into the bucket's newest event when it continues it (equal data,
///   starting no earlier, at most `pulsetime` after its end); otherwise it becomes a new event.
/// - Range reads return the events overlapping `[start, end]` (both ends included), clipped to
///   it, newest first (ties: shorter first, then by id).
/// - An inserted event whose `id` names an event of the same bucket replaces it; any other id is
///   ignored. Event ids are never given out twice.
/// - An import adds only events the bucket does not have (same start, end and data).
/// - A write is durable once the call returns, except heartbeats, which a store may hold for at
///   most a second and writes on `close()`.
public protocol EventStore: Sendable {
    /// Where the data lives, for messages: a file path, or a PostgreSQL address without password.
    var location: String { get }
    /// Whether opening the store created its database (then the server stores its default
    /// settings).
    var isNew: Bool { get }

    /// Every bucket, with metadata covering its events.
    func buckets() async throws(DatastoreError) -> [Bucket]
    /// The bucket with this id. Throws `.bucketNotFound`.
    func bucket(id: String) async throws(DatastoreError) -> Bucket
    /// Creates a bucket with empty metadata. Throws `.bucketAlreadyExists`.
    func createBucket(_ bucket: Bucket) async throws(DatastoreError)
    /// Changes a bucket's type, client, hostname or data; `nil` leaves a field as it is.
    func updateBucket(id: String, type: String?, client: String?, hostname: String?, data: [String: JSON]?)
        async throws(DatastoreError)
    /// Deletes a bucket with all its events.
    func deleteBucket(id: String) async throws(DatastoreError)

    /// Stores events whose data is canonical JSON text; returns them with their ids, in order.
    func insertEvents(_ events: [EncodedEvent], bucketID: String) async throws(DatastoreError) -> [EncodedEvent]
    /// Stores the events `decode` sends to the feed as `insertEvents(_:bucketID:)` does, in one
    /// transaction; the store may write the first while `decode` is still reading the rest.
    /// When `decode` throws, nothing is stored and its error is returned, ahead of any error of
    /// the store's (such as `.bucketNotFound`).
    func insertEvents(bucketID: String, decoding decode: (EventFeed) throws(EventDecodingError) -> Void)
        async throws(DatastoreError) -> Result<[EncodedEvent], EventDecodingError>
    /// The events of a bucket overlapping `[start, end]` (unbounded where `nil`), clipped, newest
    /// first, at most `limit`.
    func events(bucketID: String, start: Timestamp?, end: Timestamp?, limit: Int?) async throws(DatastoreError)
        -> [Event]
    /// The same events as `events(bucketID:start:end:limit:)` as the REST API's JSON array, in chunks.
    func eventsJSON(bucketID: String, start: Timestamp?, end: Timestamp?, limit: Int?) async throws(DatastoreError)
        -> JSONChunkStream
    /// An export document of the given buckets (all when `nil`), unclipped, newest first, in chunks.
    func exportJSON(bucketIDs: [String]?) async throws(DatastoreError) -> JSONChunkStream
    /// How many events of a bucket overlap `[start, end]`.
    func eventCount(bucketID: String, start: Timestamp?, end: Timestamp?) async throws(DatastoreError) -> Int
    /// One event of a bucket, unclipped. Throws `.eventNotFound` or `.bucketNotFound`.
    func event(id: Int64, bucketID: String) async throws(DatastoreError) -> Event
    /// Deletes one event of a bucket. Throws `.eventNotFound` or `.bucketNotFound`.
    func deleteEvent(id: Int64, bucketID: String) async throws(DatastoreError)
    /// A bucket's events in id order, the first `limit` with an id above `afterID` (from the
    /// start when `nil`): how a whole bucket is read in pages, unclipped.
    func eventPage(bucketID: String, afterID: Int64?, limit: Int) async throws(DatastoreError) -> [Event]

    /// Records a heartbeat and returns the event it became, with its id.
    func heartbeat(_ event: Event, bucketID: String, pulsetime: Double) async throws(DatastoreError) -> Event
    /// Creates the bucket if needed and adds the events it does not have yet, in one transaction.
    func importBucket(_ bucket: Bucket, events: [Event]) async throws(DatastoreError) -> BucketImportResult

    /// All settings, by key.
    func settings() async throws(DatastoreError) -> [String: JSON]
    /// One setting, or `nil`. Throws `.invalidSettingKey`.
    func setting(_ key: String) async throws(DatastoreError) -> JSON?
    /// Stores a setting, replacing any earlier value. Throws `.invalidSettingKey`.
    func setSetting(_ key: String, to value: JSON) async throws(DatastoreError)
    /// Removes a setting. Throws `.invalidSettingKey`.
    func deleteSetting(_ key: String) async throws(DatastoreError)

    /// Does the store's background work (writing held heartbeats, keeping connections) until
    /// `stopRunning()`. Run it for the life of the store.
    func run() async
    /// Ends `run()` after its current piece of work.
    func stopRunning()
    /// Writes whatever is held and releases the storage; the store cannot be used afterwards.
    func close() async throws(DatastoreError)
}

extension EventStore {
    /// Decodes first, then stores what was decoded (for a store that writes a batch at once).
    public func insertEvents(bucketID: String, decoding decode: (EventFeed) throws(EventDecodingError) -> Void)
        async throws(DatastoreError) -> Result<[EncodedEvent], EventDecodingError>
    {
        let feed = EventFeed()
        do {
            try decode(feed)
        } catch {
            return .failure(error)
        }
        return .success(try await insertEvents(feed.remaining(), bucketID: bucketID))
    }

    /// Stores events (see `insertEvents(_:bucketID:)` for encoded events) and returns them with
    /// their ids, in the given order.
    public func insertEvents(_ events: [Event], bucketID: String) async throws(DatastoreError) -> [Event] {
        let stored = try await insertEvents(events.map(EncodedEvent.init), bucketID: bucketID)
        return zip(events, stored).map { event, stored in
            var event = event
            event.id = stored.id
            return event
        }
    }

    /// Every event of a bucket, unclipped, newest first.
    public func events(bucketID: String) async throws(DatastoreError) -> [Event] {
        try await events(bucketID: bucketID, start: nil, end: nil, limit: nil)
    }

    /// Every event of a bucket as the REST API's JSON array, in chunks.
    public func eventsJSON(bucketID: String) async throws(DatastoreError) -> JSONChunkStream {
        try await eventsJSON(bucketID: bucketID, start: nil, end: nil, limit: nil)
    }

    /// How many events a bucket has.
    public func eventCount(bucketID: String) async throws(DatastoreError) -> Int {
        try await eventCount(bucketID: bucketID, start: nil, end: nil)
    }

    /// The export document of every bucket, in chunks.
    public func exportJSON() async throws(DatastoreError) -> JSONChunkStream {
        try await exportJSON(bucketIDs: nil)
    }

    /// The longest settings key accepted, in UTF-8 bytes (as aw-server-rust).
    public static var maximumSettingKeyLength: Int { 127 }

    /// A heartbeat's `pulsetime` in nanoseconds, kept within ±10⁹ seconds so that no value
    /// overflows.
    package static func pulsetimeNanoseconds(_ seconds: Double) -> Int64 {
        Int64((min(max(seconds, -1e9), 1e9) * 1e9).rounded())
    }

    /// The `key_value` key a setting is stored under (`settings.<key>`, as aw-server-rust), after
    /// checking the key the way every store does.
    package static func storedSettingKey(_ key: String) throws(DatastoreError) -> String {
        if key.isEmpty { throw .invalidSettingKey(key: key, reason: "the key is empty") }
        if key.utf8.count > maximumSettingKeyLength {
            throw .invalidSettingKey(
                key: String(key.prefix(40)) + "…", reason: "longer than \(maximumSettingKeyLength) bytes")
        }
        return settingsKeyPrefix + key
    }

    /// The setting a stored `settings.<key>` key holds.
    package static func settingKey(stored: String) -> String {
        String(stored.dropFirst(settingsKeyPrefix.count))
    }

    private static var settingsKeyPrefix: String { "settings." }
}

/// The part of a range read every store shares: the bounds and how a stored event is clipped to them.
package struct EventWindow: Sendable {
    package var start: Timestamp?
    package var end: Timestamp?

    package init(start: Timestamp?, end: Timestamp?) {
        self.start = start
        self.end = end
    }

    /// Whether the window can hold no event (a limit of 0, or `start` after `end`).
    package func isEmpty(limit: Int?) -> Bool {
        limit == 0 || (start != nil && end != nil && start! > end!)
    }

    /// A stored event's start and duration, clipped to the window.
    package func clip(start rowStart: Int64, end rowEnd: Int64) -> (Timestamp, Int64) {
        let clippedStart = max(rowStart, start?.nanoseconds ?? .min)
        let clippedEnd = min(rowEnd, end?.nanoseconds ?? .max)
        return (Timestamp(nanoseconds: clippedStart), max(0, clippedEnd - clippedStart))
    }

    /// Writes one event object of the REST API from stored columns: the data is the stored
    /// JSON text, copied through.
    package func writeEvent(
        id: Int64, start: Int64, end: Int64, data: UnsafeRawBufferPointer?, to writer: inout JSONWriter
    ) {
        let (timestamp, duration) = clip(start: start, end: end)
        writer.writeRaw("{\"id\":")
        writer.write(id)
        Event.writeFields(timestamp: timestamp, durationNanoseconds: duration, to: &writer)
        if let data, !data.isEmpty { writer.bytes.append(contentsOf: data) } else { writer.writeRaw("{}") }
        writer.writeByte(UInt8(ascii: "}"))
    }
}
