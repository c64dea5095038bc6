import AWCore
import Foundation
import GRDB
import Logging
import NIOHTTP1
import Synchronization

/// A request waiting to be sent.
struct QueuedRequest: Sendable, Equatable {
    var id: Int64 = 0
    var method: String
    /// The path and query, e.g. `/api/0/buckets/b/heartbeat?pulsetime=2.0`.
    var path: String
    var body: [UInt8]
}

/// A durable, first-in-first-out queue of requests for one client, in an SQLite file, with a
/// sender that delivers them in order.
///
/// Nothing in it is lost while the server is unreachable, times out or fails (5xx): the item
/// stays first in line and is retried with back-off (0.5 s doubling to 10 s), across restarts
/// of the client. Only an answer that says the request itself is wrong (4xx) drops it, with a
/// logged reason. Registered buckets are kept in the same file and created on every (re)connect.
final class RequestQueue: Sendable {
    let path: String
    private let database: DatabaseQueue
    private let lock: FileLock
    private let transport: HTTPTransport
    private let logger: Logger
    private let wakeUp: AsyncStream<Void>.Continuation
    private let wakeUps: AsyncStream<Void>
    private let sender = Mutex<Task<Void, Never>?>(nil)
    /// Callers of `waitUntilEmpty()`, and whether the sender has ended (then nobody waits).
    private let idle = Mutex<(ended: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    /// Opens (creating) the queue at `path`.
    ///
    /// - Throws: `ClientError.queueInUse` when another process uses it, `.queueUnavailable` when
    ///   it cannot be opened.
    init(path: String, transport: HTTPTransport, logger: Logger) throws(ClientError) {
        do {
            try Directories.ensureExists((path as NSString).deletingLastPathComponent)
        } catch {
            throw .queueUnavailable(path: path, reason: fileErrorReason(error))
        }
        do {
            lock = try FileLock(path: path + ".lock")
        } catch {
            switch error {
            case .held: throw .queueInUse(path: path)
            case .cannotOpen(_, let reason): throw .queueUnavailable(path: path, reason: reason)
            }
        }
        do {
            database = try DatabaseQueue(path: path)
            try database.write { db in
                try db.execute(
                    sql: """
                        CREATE TABLE IF NOT EXISTS requests (
                            id INTEGER PRIMARY KEY AUTOINCREMENT, method TEXT NOT NULL, path TEXT NOT NULL,
                            body BLOB NOT NULL, enqueued REAL NOT NULL);
                        CREATE TABLE IF NOT EXISTS buckets (id TEXT PRIMARY KEY, body BLOB NOT NULL);
                        """)
            }
        } catch {
            throw .queueUnavailable(path: path, reason: "\(error)")
        }
        self.path = path
        self.transport = transport
        self.logger = logger
        (wakeUps, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    deinit {
        lock.release()
    }

    /// Releases the queue for another process (after `stop()`).
    func close() {
        wakeUp.finish()
        try? database.close()
        lock.release()
    }

    /// Appends requests (in one transaction) and wakes the sender.
    func enqueue(_ requests: [QueuedRequest]) throws(ClientError) {
        guard !requests.isEmpty else { return }
        do {
            try database.write { db in
                let now = Date().timeIntervalSince1970
                for request in requests {
                    try db.execute(
                        sql: "INSERT INTO requests (method, path, body, enqueued) VALUES (?, ?, ?, ?)",
                        arguments: [request.method, request.path, Data(request.body), now])
                }
            }
        } catch {
            throw .queueUnavailable(path: path, reason: "\(error)")
        }
        wakeUp.yield()
    }

    /// Registers a bucket, created now if the server is reachable and on every reconnect.
    func register(bucketID: String, body: [UInt8]) throws(ClientError) {
        do {
            try database.write { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO buckets (id, body) VALUES (?, ?)", arguments: [bucketID, Data(body)])
            }
        } catch {
            throw .queueUnavailable(path: path, reason: "\(error)")
        }
        wakeUp.yield()
    }

    /// Stops creating `bucketID` on reconnects (it was deleted).
    func unregister(bucketID: String) {
        _ = try? database.write { db in try db.execute(sql: "DELETE FROM buckets WHERE id = ?", arguments: [bucketID]) }
    }

    /// How many requests wait.
    var count: Int {
        (try? database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM requests") ?? 0 }) ?? 0
    }

    /// Starts the sender (once).
    func start() {
        sender.withLock { task in
            guard task == nil else { return }
            idle.withLock { $0.ended = false }
            task = Task { await self.run() }
        }
    }

    /// Stops the sender; what is still queued stays on disk for the next start.
    func stop() async {
        let task = sender.withLock { $0 }
        task?.cancel()
        wakeUp.yield()
        await task?.value
    }

    /// Waits until the queue is empty or the sender stops.
    func waitUntilEmpty() async {
        await withCheckedContinuation { continuation in
            let resumeNow =
                count == 0
                || idle.withLock { idle in
                    if idle.ended { return true }
                    idle.waiting.append(continuation)
                    return false
                }
            if resumeNow { continuation.resume() }
            wakeUp.yield()
        }
    }

    /// Resumes the callers of `waitUntilEmpty()`; with `ended`, later callers return at once.
    private func resumeWaiting(ended: Bool) {
        let waiting = idle.withLock { idle in
            defer { idle.waiting = [] }
            idle.ended = idle.ended || ended
            return idle.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    private func oldest() -> QueuedRequest? {
        try? database.read { db in
            try Row.fetchOne(db, sql: "SELECT id, method, path, body FROM requests ORDER BY id LIMIT 1").map { row in
                QueuedRequest(id: row[0], method: row[1], path: row[2], body: [UInt8](row[3] as Data))
            }
        }
    }

    private func remove(_ request: QueuedRequest) {
        _ = try? database.write { db in
            try db.execute(sql: "DELETE FROM requests WHERE id = ?", arguments: [request.id])
        }
    }

    /// Creates every registered bucket; whether the server took them all.
    private func connect() async -> Bool {
        let buckets =
            (try? database.read { db in try Row.fetchAll(db, sql: "SELECT id, body FROM buckets ORDER BY id") }) ?? []
        for row in buckets {
            let id: String = row[0]
            do {
                _ = try await transport.send(
                    .POST, "/api/0/buckets/\(PathComponent.escape(id))", body: [UInt8](row[1] as Data))
            } catch {
                if error.isTransient { return false }
                logger.error("cannot create bucket '\(id)': \(error)")
            }
        }
        return true
    }

    private func run() async {
        var connected = false
        var delay: Duration = .milliseconds(500)
        var reportedWaiting = false
        var retriedAfterNotFound: Int64?
        var iterator = wakeUps.makeAsyncIterator()
        while !Task.isCancelled {
            if !connected {
                connected = await connect()
                if !connected {
                    if !reportedWaiting {
                        logger.warning(
                            "not connected to the server at \(transport.baseURL), \(count) requests queued; retrying")
                        reportedWaiting = true
                    }
                    try? await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(10))
                    continue
                }
                if reportedWaiting { logger.info("connected to the server at \(transport.baseURL) again") }
                reportedWaiting = false
            }
            guard let request = oldest() else {
                resumeWaiting(ended: false)
                _ = await iterator.next()
                continue
            }
            do {
                _ = try await transport.send(HTTPMethod(rawValue: request.method), request.path, body: request.body)
                remove(request)
                delay = .milliseconds(500)
            } catch {
                if error.isTransient {
                    connected = false
                    try? await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(10))
                    continue
                }
                if case .http(404, _, _) = error, retriedAfterNotFound != request.id {
                    // The bucket may be gone from the server: create the registered ones, retry once.
                    retriedAfterNotFound = request.id
                    connected = false
                    continue
                }
                logger.error("dropping queued \(request.method) \(request.path): \(error)")
                remove(request)
            }
        }
        resumeWaiting(ended: true)
    }
}

/// Percent-encoding of one path segment.
enum PathComponent {
    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
