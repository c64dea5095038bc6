import AWCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// A client of an ActivityWatch server over HTTP, with every method of the Python
/// `aw_client.ActivityWatchClient`.
///
/// Queued operations (`heartbeat(queued: true)`, `insertEvents(queued: true)`,
/// `createBucket(queued: true)`) go through a durable queue on disk
/// (`$XDG_DATA_HOME/activitywatch/aw-client/queued/<client>[-testing].swift.sqlite`) and reach the
/// server in order, however long it is away and across restarts of the client. Queued heartbeats
/// are merged in memory first: a new activity is sent at once, its continuation every
/// `commitInterval` seconds, and the rest by `disconnect()`.
public final class ActivityWatchClient: Sendable {
    /// The client's name, e.g. `aw-watcher-window`; it names the request queue.
    public let clientName: String
    /// Whether the client talks to a testing server (port 5666 by default).
    public let testing: Bool
    /// This machine's hostname, for bucket ids such as `aw-watcher-window_<hostname>`.
    public let clientHostname: String
    /// The settings in use.
    public let configuration: ClientConfiguration
    let transport: HTTPTransport
    private let logger: Logger
    private let premerger = Mutex(HeartbeatPremerger())
    private let queue = Mutex<RequestQueue?>(nil)
    private let directories: Directories

    /// - Parameters:
    ///   - clientName: The client's name.
    ///   - testing: Testing mode (the `-testing` sections of aw-client.toml, port 5666).
    ///   - configuration: Where to connect; by default read from aw-client.toml.
    /// - Throws: `ConfigError` when aw-client.toml is malformed.
    public init(
        clientName: String = "aw-client-swift", testing: Bool = false, configuration: ClientConfiguration? = nil,
        directories: Directories = Directories(), logger: Logger? = nil
    ) throws(ConfigError) {
        self.clientName = clientName
        self.testing = testing
        self.directories = directories
        if let configuration {
            self.configuration = configuration
        } else {
            self.configuration = try ClientConfiguration.load(testing: testing, directories: directories)
        }
        self.logger = logger ?? Logger(label: clientName)
        transport = HTTPTransport(
            host: self.configuration.host, port: self.configuration.port, https: self.configuration.https,
            caFile: self.configuration.caFile, apiKey: self.configuration.apiKey)
        clientHostname = Hostname.local
    }

    /// `http://host:port` (or `https://`) of the server.
    public var serverURL: String { transport.baseURL }

    // MARK: Server

    /// `GET /api/0/info`: hostname, version, testing, device_id.
    public func info() async throws(ClientError) -> [String: JSON] {
        try await object(.GET, "/api/0/info")
    }

    /// Waits until the server answers, retrying with 0.1, 0.2, 0.4 s... pauses.
    ///
    /// - Throws: the last `ClientError` when it does not answer within `timeout`.
    public func waitForStart(timeout: Duration = .seconds(10)) async throws(ClientError) {
        let deadline = ContinuousClock.now + timeout
        var pause: Duration = .milliseconds(100)
        while true {
            do {
                _ = try await info()
                return
            } catch {
                guard error.isTransient, ContinuousClock.now + pause < deadline else { throw error }
                try? await Task.sleep(for: pause)
                pause = pause * 2
            }
        }
    }

    // MARK: Buckets

    /// Every bucket, by id.
    public func buckets() async throws(ClientError) -> [String: Bucket] {
        let path = "/api/0/buckets/"
        var result: [String: Bucket] = [:]
        for (id, value) in try await object(.GET, path) {
            result[id] = try decodeBucket(value, id: id, path: path)
        }
        return result
    }

    /// A bucket as the server describes it, with the time span of its events (`metadata`).
    private func decodeBucket(_ json: JSON, id: String, path: String) throws(ClientError) -> Bucket {
        var bucket = try decode(path) { () throws(ModelDecodingError) in try Bucket(json: json, idOverride: id) }
        let span = json["metadata"]
        bucket.metadata = BucketMetadata(
            start: span?["start"]?.stringValue.flatMap { try? Timestamp(rfc3339: $0) },
            end: span?["end"]?.stringValue.flatMap { try? Timestamp(rfc3339: $0) })
        return bucket
    }

    /// One bucket with its metadata.
    public func bucket(_ id: String) async throws(ClientError) -> Bucket {
        let path = bucketPath(id)
        return try decodeBucket(try await transport.json(.GET, path), id: id, path: path)
    }

    /// Creates a bucket of `type` for this client and host (an existing one is fine). Queued, it
    /// is created when the server can be reached, and again on every reconnect.
    public func createBucket(
        _ id: String, type: String, queued: Bool = false, data: [String: JSON] = [:], client: String? = nil,
        hostname: String? = nil
    ) async throws(ClientError) {
        var body: [String: JSON] = [
            "client": .string(client ?? clientName), "type": .string(type),
            "hostname": .string(hostname ?? clientHostname),
        ]
        if !data.isEmpty { body["data"] = .object(data) }
        let bytes = Array(JSON.object(body).serialized().utf8)
        if queued {
            try requestQueue().register(bucketID: id, body: bytes)
        } else {
            _ = try await transport.send(.POST, bucketPath(id), body: bytes)
        }
    }

    /// Deletes a bucket and its events (`force` is required by the server outside testing mode).
    public func deleteBucket(_ id: String, force: Bool = false) async throws(ClientError) {
        _ = try await transport.send(.DELETE, bucketPath(id) + (force ? "?force=1" : ""))
        premerger.withLock { $0.forget(bucketID: id) }
        queue.withLock { $0 }?.unregister(bucketID: id)
    }

    // MARK: Events

    /// Events overlapping `start`..`end`, newest first; `limit` nil for all.
    public func events(bucketID: String, limit: Int? = nil, start: Timestamp? = nil, end: Timestamp? = nil)
        async throws(ClientError) -> [Event]
    {
        let path =
            bucketPath(bucketID) + "/events"
            + query(["limit": String(limit ?? -1), "start": start?.rfc3339, "end": end?.rfc3339])
        let json = try await transport.json(.GET, path)
        return try decode(path) { () throws(ModelDecodingError) in try Event.array(json: json) }
    }

    /// One event, or `nil` when there is none with that id.
    public func event(bucketID: String, id: Int64) async throws(ClientError) -> Event? {
        let path = bucketPath(bucketID) + "/events/\(id)"
        do {
            let json = try await transport.json(.GET, path)
            return try decode(path) { () throws(ModelDecodingError) in try Event(json: json) }
        } catch .http(404, let message, _) where message.lowercased().contains("event") {
            return nil
        }
    }

    /// The number of events overlapping `start`..`end`.
    public func eventCount(bucketID: String, start: Timestamp? = nil, end: Timestamp? = nil) async throws(ClientError)
        -> Int
    {
        let path = bucketPath(bucketID) + "/events/count" + query(["start": start?.rfc3339, "end": end?.rfc3339])
        guard case .int(let count) = try await transport.json(.GET, path) else {
            throw .invalidResponse(path: path, reason: "not a count")
        }
        return Int(count)
    }

    /// Inserts events (ids are given by the server). Queued, they are sent in order when the
    /// server can be reached.
    public func insertEvents(_ events: [Event], bucketID: String, queued: Bool = false) async throws(ClientError) {
        let body = withoutIDs(events)
        let path = bucketPath(bucketID) + "/events"
        if queued {
            try requestQueue().enqueue([QueuedRequest(method: "POST", path: path, body: Array(body.serialized().utf8))])
        } else {
            _ = try await transport.json(.POST, path, body: body)
        }
    }

    /// Inserts one event and returns it as stored (with its id).
    public func insertEvent(_ event: Event, bucketID: String) async throws(ClientError) -> Event {
        let path = bucketPath(bucketID) + "/events"
        let json = try await transport.json(.POST, path, body: withoutIDs([event]))
        return try decode(path) { () throws(ModelDecodingError) in
            guard let stored = try Event.array(json: json).first else {
                throw ModelDecodingError(field: "events", reason: "empty answer")
            }
            return stored
        }
    }

    /// Deletes one event.
    public func deleteEvent(bucketID: String, id: Int64) async throws(ClientError) {
        _ = try await transport.send(.DELETE, bucketPath(bucketID) + "/events/\(id)")
    }

    /// Records a heartbeat: it extends the bucket's last event when the data are equal and it
    /// starts within `pulsetime` seconds of its end, else starts a new event. Queued, it is
    /// merged in memory first (see the type's description) and sent through the durable queue.
    ///
    /// - Returns: The server's merged event (not queued), or `nil` (queued).
    @discardableResult
    public func heartbeat(
        _ event: Event, bucketID: String, pulsetime: Double, queued: Bool = false, commitInterval: Double? = nil
    ) async throws(ClientError) -> Event? {
        guard queued else {
            let path = heartbeatPath(bucketID, pulsetime: pulsetime)
            let json = try await transport.json(.POST, path, body: event.json)
            return try decode(path) { () throws(ModelDecodingError) in try Event(json: json) }
        }
        let queue = try requestQueue()
        let outgoing = premerger.withLock {
            $0.add(
                event, bucketID: bucketID, pulsetime: pulsetime,
                commitInterval: commitInterval ?? configuration.commitInterval)
        }
        try queue.enqueue(outgoing.map(queuedHeartbeat))
        return nil
    }

    // MARK: Query, export, import, settings

    /// Runs a query2 program over each period; one result per period.
    public func query(_ program: String, timeperiods: [TimePeriod], name: String? = nil, cache: Bool = false)
        async throws(ClientError) -> [JSON]
    {
        var body: [String: JSON] = [
            "query": .array(
                program.split(separator: "\n", omittingEmptySubsequences: false).map { .string(String($0)) }),
            "timeperiods": .array(timeperiods.map { .string($0.description) }),
        ]
        if let name { body["name"] = .string(name) }
        let path = "/api/0/query/" + (cache && name != nil ? "?cache=1" : "")
        guard case .array(let results) = try await transport.json(.POST, path, body: .object(body)) else {
            throw .invalidResponse(path: path, reason: "not a list of results")
        }
        return results
    }

    /// The export document of every bucket (`{"buckets": {...}}`).
    public func exportAll() async throws(ClientError) -> JSON {
        try await transport.json(.GET, exportPath(bucketID: nil))
    }

    /// The export document of one bucket.
    public func exportBucket(_ id: String) async throws(ClientError) -> JSON {
        try await transport.json(.GET, exportPath(bucketID: id))
    }

    /// Writes the export document of every bucket (or of `bucketID`) to `file` as it arrives, without
    /// holding it in memory; the number of bytes written.
    public func export(bucketID: String? = nil, to file: FileHandle) async throws(ClientError) -> Int {
        try await transport.download(exportPath(bucketID: bucketID), to: file)
    }

    /// Imports an export document from the file at `path`, sent in chunks; `progress` is told the
    /// bytes sent so far and the file's size. Returns the server's account per bucket
    /// (`{"buckets": {id: {"created", "inserted", "skipped"}}}`).
    ///
    /// - Throws: `ClientError.file` when the file cannot be read.
    @discardableResult
    public func importFile(
        atPath path: String, progress: @escaping @Sendable (_ sent: Int, _ total: Int) -> Void = { _, _ in }
    ) async throws(ClientError) -> JSON {
        guard let file = FileHandle(forReadingAtPath: path),
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        else {
            throw .file(
                path: path,
                reason: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        defer { try? file.close() }
        let answer = try await transport.upload("/api/0/import", file: file, size: size) { progress($0, size) }
        return (try? JSON.parse(answer)) ?? .null
    }

    /// Imports an export document (`{"buckets": {...}}`); buckets that exist are refused.
    public func importDocument(_ document: JSON) async throws(ClientError) {
        _ = try await transport.send(.POST, "/api/0/import", body: Array(document.serialized().utf8))
    }

    /// Imports one bucket as `exportBucket` gives it (a whole export document is taken as is).
    public func importBucket(_ bucket: JSON) async throws(ClientError) {
        if bucket["buckets"] != nil { return try await importDocument(bucket) }
        guard let id = bucket["id"]?.stringValue else {
            throw .invalidResponse(path: "/api/0/import", reason: "the bucket has no id")
        }
        try await importDocument(.object(["buckets": .object([id: bucket])]))
    }

    /// All settings.
    public func settings() async throws(ClientError) -> [String: JSON] {
        try await object(.GET, "/api/0/settings")
    }

    /// One setting, `nil` when unset.
    public func setting(_ key: String) async throws(ClientError) -> JSON? {
        let value = try await transport.json(.GET, "/api/0/settings/\(PathComponent.escape(key))")
        return value.isNull ? JSON?.none : value
    }

    /// Sets a setting.
    public func setSetting(_ key: String, to value: JSON) async throws(ClientError) {
        _ = try await transport.send(
            .POST, "/api/0/settings/\(PathComponent.escape(key))", body: Array(value.serialized().utf8))
    }

    // MARK: Connection

    /// Opens the request queue and starts sending what it holds (also done by the first queued
    /// operation).
    ///
    /// - Throws: `ClientError.queueInUse` when another instance of this client runs.
    public func connect() throws(ClientError) {
        _ = try requestQueue()
    }

    /// Sends the merged heartbeats still in memory into the queue, waits up to `timeout` for the
    /// queue to empty, and stops sending; what could not be sent stays queued on disk.
    public func disconnect(timeout: Duration = .seconds(5)) async {
        guard let queue = queue.withLock({ $0 }) else { return }
        let outgoing = premerger.withLock { $0.flushAll() }
        do {
            try queue.enqueue(outgoing.map(queuedHeartbeat))
        } catch {
            logger.error("cannot queue the last heartbeats: \(error)")
        }
        let deadline = Task {
            try? await Task.sleep(for: timeout)
            await queue.stop()
        }
        await queue.waitUntilEmpty()
        deadline.cancel()
        await queue.stop()
        let remaining = queue.count
        if remaining > 0 { logger.info("\(remaining) requests stay queued for the next start") }
        queue.close()
        self.queue.withLock { $0 = nil }
    }

    /// The number of requests waiting in the queue.
    public var queuedRequestCount: Int { queue.withLock { $0 }?.count ?? 0 }

    /// The queue's file.
    public var queuePath: String {
        "\(directories.dataDirectory(module: "aw-client"))/queued/\(clientName)\(testing ? "-testing" : "").swift.sqlite"
    }

    private func requestQueue() throws(ClientError) -> RequestQueue {
        if let existing = queue.withLock({ $0 }) { return existing }
        let created = try RequestQueue(path: queuePath, transport: transport, logger: logger)
        let queue = self.queue.withLock { queue in
            if queue == nil { queue = created }
            return queue!
        }
        queue.start()
        return queue
    }

    // MARK: Helpers

    private func queuedHeartbeat(_ outgoing: HeartbeatPremerger.Outgoing) -> QueuedRequest {
        QueuedRequest(
            method: "POST", path: heartbeatPath(outgoing.bucketID, pulsetime: outgoing.pulsetime),
            body: Array(outgoing.event.json.serialized().utf8))
    }

    private func heartbeatPath(_ bucketID: String, pulsetime: Double) -> String {
        bucketPath(bucketID) + "/heartbeat?pulsetime=\(pulsetime)"
    }

    private func bucketPath(_ id: String) -> String { "/api/0/buckets/\(PathComponent.escape(id))" }

    /// The export of one bucket, or of all with `nil`.
    private func exportPath(bucketID: String?) -> String {
        bucketID.map { bucketPath($0) + "/export" } ?? "/api/0/export"
    }

    /// Events as the server takes them: without ids, which it assigns.
    private func withoutIDs(_ events: [Event]) -> JSON {
        .array(
            events.map { event in
                var copy = event
                copy.id = nil
                return copy.json
            })
    }

    private func query(_ items: [String: String?]) -> String {
        let pairs = items.keys.sorted().compactMap { key in
            items[key]!.map {
                "\(key)=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~:"))) ?? $0)"
            }
        }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }

    private func object(_ method: HTTPMethod, _ path: String) async throws(ClientError) -> [String: JSON] {
        guard case .object(let object) = try await transport.json(method, path) else {
            throw .invalidResponse(path: path, reason: "not an object")
        }
        return object
    }

    private func decode<T>(_ path: String, _ body: () throws(ModelDecodingError) -> T) throws(ClientError) -> T {
        do {
            return try body()
        } catch {
            throw .invalidResponse(path: path, reason: "\(error)")
        }
    }
}

/// What a watcher module reports through when it runs outside `aw-server`: queued,
/// pre-merged heartbeats over HTTP, kept on disk while the server is away.
public struct RemoteWatcherClient: WatcherClient {
    /// The client underneath.
    public let client: ActivityWatchClient

    /// Reports through `client`'s queue.
    public init(client: ActivityWatchClient) {
        self.client = client
    }

    /// Registers the bucket with the queue: created now if possible and on every reconnect.
    public func ensureBucket(_ bucket: Bucket) async throws {
        try await client.createBucket(
            bucket.id, type: bucket.type, queued: true, data: bucket.data, client: bucket.client,
            hostname: bucket.hostname)
    }

    /// A queued, pre-merged heartbeat.
    public func heartbeat(_ event: Event, bucketID: String, pulsetime: Double) async throws {
        try await client.heartbeat(event, bucketID: bucketID, pulsetime: pulsetime, queued: true)
    }

    /// Queued events.
    public func insertEvents(_ events: [Event], bucketID: String) async throws {
        try await client.insertEvents(events, bucketID: bucketID, queued: true)
    }
}
