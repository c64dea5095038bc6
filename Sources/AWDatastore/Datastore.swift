import AWCore
import Foundation
import GRDB
import Logging
import Synchronization

/// ActivityWatch storage on SQLite: buckets, events and key-value settings in one WAL-mode
/// database file.
///
/// Writes go through GRDB's serialized writer. Heartbeats are merged in memory against each
/// bucket's cached last event and written in batches: a flush runs at most `flushDelay` after
/// the first unwritten heartbeat (and before any read), so an acknowledged heartbeat reaches the
/// disk within a second. Inserted events, bucket changes, imports and settings are committed
/// before the call returns. `close()` writes whatever is left.
public final class Datastore: EventStore {
    /// The database file, or `:memory:`.
    public let path: String
    public var location: String { path }
    /// How long heartbeats may wait in memory before they are written.
    public let flushDelay: Duration
    /// Whether opening it created the database.
    public let isNew: Bool

    let writer: any DatabaseWriter
    let state: Mutex<DatastoreState>
    let logger: Logger
    private let fileLock: FileLock?
    private let flushRequests: AsyncStream<Void>
    private let flushRequester: AsyncStream<Void>.Continuation
    /// The error of the last failed flush, cleared by the next one that succeeds.
    let flushFailure = Mutex<DatastoreError?>(nil)
    /// Event data by its id, shared by all reads.
    let eventData = EventDataByID()
    /// The ids of data texts stored by earlier writes, for the writer.
    let knownDataIDs = KnownDataIDs()
    /// Uses of data texts that writes added and `event_data_uses` does not count yet.
    let heldUses = HeldUses()
    /// Counts the writer's commits, to tell whether reads on several connections saw one state.
    let commits = CommitCounter()

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// Only one aw-server process may use a database file at a time. A file written by an earlier
    /// version is converted to this version's layout first: one that holds each event's data
    /// text in its row takes about 4 s per million events and needs about the file's size free
    /// on its disk; one that already keeps each text once, well under a second.
    ///
    /// - Parameters:
    ///   - path: The SQLite file.
    ///   - flushDelay: How long heartbeats may wait in memory (keep it well under a second).
    ///   - logger: Where to log.
    /// - Throws: `DatastoreError` naming the file and the problem: in use by another process,
    ///   not a database, written by a newer version, not writable, no room to convert it.
    public convenience init(
        path: String, flushDelay: Duration = .milliseconds(500), logger: Logger = Logger(label: "aw.datastore")
    ) throws(DatastoreError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            do {
                try Directories.ensureExists(directory)
            } catch {
                throw .cannotOpen(
                    path: path, reason: "cannot create the folder \(directory): \(fileErrorReason(error))")
            }
        }
        let folder = directory.isEmpty ? "." : directory
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists && !FileManager.default.isWritableFile(atPath: folder) {
            throw .cannotOpen(
                path: path, reason: "the folder \(folder) is not writable (a read-only file system, or no permission)")
        }
        let lock: FileLock
        do {
            lock = try FileLock(path: path)
        } catch {
            switch error {
            case .held: throw .alreadyInUse(path: path)
            case .cannotOpen(_, let reason): throw .cannotOpen(path: path, reason: reason)
            }
        }
        try Schema.checkExistingFile(path: path)
        var configuration = Configuration()
        configuration.label = "aw-datastore"
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw DatastoreError.wrapping(error, path: path)
        }
        try self.init(writer: pool, path: path, fileLock: lock, flushDelay: flushDelay, logger: logger)
        if !FileManager.default.isWritableFile(atPath: path) || !FileManager.default.isWritableFile(atPath: folder) {
            logger.warning(
                "the database \(path) is read-only: everything recorded so far can be read, nothing new can be written")
        }
    }

    /// A datastore that lives in memory only (for tests and throw-away servers).
    public static func inMemory(logger: Logger = Logger(label: "aw.datastore")) throws(DatastoreError) -> Datastore {
        do {
            return try Datastore(
                writer: DatabaseQueue(), path: ":memory:", fileLock: nil, flushDelay: .milliseconds(50), logger: logger)
        } catch {
            throw DatastoreError.wrapping(error, path: ":memory:")
        }
    }

    private init(writer: any DatabaseWriter, path: String, fileLock: FileLock?, flushDelay: Duration, logger: Logger)
        throws(DatastoreError)
    {
        self.writer = writer
        self.path = path
        self.fileLock = fileLock
        self.flushDelay = flushDelay
        self.logger = logger
        writer.add(transactionObserver: commits, extent: .databaseLifetime)
        (flushRequests, flushRequester) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        do {
            isNew = try Schema.migrate(writer, path: path, logger: logger)
            heldUses.countAgainIfMarked(writer, path: path, logger: logger)
            state = Mutex(try writer.read { db in try Self.loadState(db) })
        } catch {
            throw DatastoreError.wrapping(error, path: path)
        }
        logger.debug("opened datastore", metadata: ["db.path": "\(path)"])
    }

    /// Reads buckets, their metadata and the next event id.
    private static func loadState(_ db: Database) throws -> DatastoreState {
        var state = DatastoreState()
        let rows = try Row.fetchAll(
            db, sql: "SELECT id, name, type, client, hostname, created, data, max_duration FROM buckets")
        for row in rows {
            let rowID: Int64 = row[0]
            let maximumDuration: Int64 = row[7]
            let bucket = Bucket(
                id: row[1],
                type: row[2],
                client: row[3],
                hostname: row[4],
                created: (try? Timestamp(rfc3339: row[5] as String)) ?? Timestamp(nanoseconds: 0),
                data: (try? JSON.parse(row[6] as String))?.objectValue ?? [:],
                metadata: try metadata(db, bucketRow: rowID, maximumDuration: maximumDuration)
            )
            state.buckets[bucket.id] = BucketState(
                bucket: bucket,
                row: rowID,
                maximumDurationNanoseconds: maximumDuration,
                storedMaximumDurationNanoseconds: maximumDuration,
                lastEvent: bucket.metadata.start == nil ? .none : .unknown
            )
        }
        let maximumID = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM events") ?? 0
        let highWater =
            try String.fetchOne(
                db, sql: "SELECT value FROM key_value WHERE key = ?", arguments: [Schema.eventIDHighWaterKey]
            ).flatMap { Int64($0) } ?? 0
        state.nextEventID = max(maximumID + 1, highWater)
        state.storedEventIDHighWater = highWater
        return state
    }

    /// The earliest start and latest end of a bucket's events, using the index: the latest end
    /// belongs to an event starting at most `maximumDuration` before the latest start.
    static func metadata(_ db: Database, bucketRow: Int64, maximumDuration: Int64) throws -> BucketMetadata {
        guard
            let first = try Int64.fetchOne(
                db, sql: "SELECT MIN(starttime) FROM events WHERE bucketrow = ?", arguments: [bucketRow]),
            let latestStart = try Int64.fetchOne(
                db, sql: "SELECT MAX(starttime) FROM events WHERE bucketrow = ?", arguments: [bucketRow])
        else { return BucketMetadata() }
        let last =
            try Int64.fetchOne(
                db,
                sql: "SELECT MAX(endtime) FROM events WHERE bucketrow = ? AND starttime >= ?",
                arguments: [bucketRow, latestStart &- maximumDuration]
            ) ?? latestStart
        return BucketMetadata(start: Timestamp(nanoseconds: first), end: Timestamp(nanoseconds: last))
    }

    // MARK: Writing

    /// Runs `body` in a write transaction and, once it has committed, `onCommit` with its result,
    /// still on the serialized writer (so in-memory state changes in the order of the writes).
    @discardableResult
    func write<T: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> T,
        onCommit: @escaping @Sendable (T) -> Void = { _ in }
    ) async throws(DatastoreError) -> T {
        do {
            return try await writer.writeWithoutTransaction { db in try Datastore.commit(body, onCommit: onCommit, db) }
        } catch {
            throw DatastoreError.wrapping(error, path: path)
        }
    }

    /// Starts the same write as `write(_:onCommit:)` and returns at once, so the caller can go on
    /// working while it runs; `completion` gets its outcome on the writer.
    func startWrite<T: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> T,
        onCommit: @escaping @Sendable (T) -> Void,
        completion: @escaping @Sendable (Result<T, DatastoreError>) -> Void
    ) {
        let path = path
        writer.asyncWriteWithoutTransaction { db in
            do {
                completion(.success(try Datastore.commit(body, onCommit: onCommit, db)))
            } catch {
                completion(.failure(DatastoreError.wrapping(error, path: path)))
            }
        }
    }

    /// Runs `body` in a transaction on `db`, then `onCommit` once it has committed.
    private static func commit<T>(_ body: (Database) throws -> T, onCommit: (T) -> Void, _ db: Database) throws -> T {
        var result: T?
        try db.inTransaction {
            result = try body(db)
            return .commit
        }
        onCommit(result!)
        return result!
    }

    /// Runs `body` on a read-only snapshot that includes every acknowledged write.
    ///
    /// When the disk is full (or the database read-only or locked by another writer), the
    /// pending heartbeats cannot be written first; the read then goes ahead without them, so
    /// reading keeps working while writing does not. They stay pending and are written, and
    /// visible, as soon as a write succeeds again.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(DatastoreError) -> T {
        try await flushBeforeReading()
        do {
            return try await readTransaction(body)
        } catch {
            throw DatastoreError.wrapping(error, path: path)
        }
    }

    /// `body` in a read transaction on a reader connection: on the calling thread while
    /// `ReadPlacement.onCallingThread` is set, otherwise on GRDB's queues.
    private func readTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        guard ReadPlacement.onCallingThread else { return try await writer.read(body) }
        let interruption = ReadInterruption()
        return try await withTaskCancellationHandler {
            try writer.read { db in try interruption.whileRunning(db) { try body(db) } }
        } onCancel: {
            interruption.interrupt()
        }
    }

    /// Writes the pending heartbeats so that a read includes them; when the disk is full (or the
    /// database read-only or locked by another writer) the read goes ahead without them.
    private func flushBeforeReading() async throws(DatastoreError) {
        do {
            try await flush()
        } catch  where error.refusesWritesOnly {
            logger.debug("reading without the pending heartbeats: \(error)")
        }
    }

    /// Runs `body` on each input at once, on as many reader connections, and returns the
    /// results in the order of the inputs; `nil` when a write committed while they began (their
    /// snapshots might differ), and the caller reads in one go instead.
    func readConsistently<Input: Sendable, Output: Sendable>(
        _ inputs: [Input], _ body: @escaping @Sendable (Database, Input) throws -> Output
    ) async throws(DatastoreError) -> [Output]? {
        try await flushBeforeReading()
        let before = commits.count
        guard before.isMultiple(of: 2) else { return nil }
        var outputs: [Output?] = Array(repeating: nil, count: inputs.count)
        do {
            try await withThrowingTaskGroup(of: (Int, Output).self) { group in
                for (index, input) in inputs.enumerated() {
                    group.addTask { (index, try await self.readTransaction { db in try body(db, input) }) }
                }
                for try await (index, output) in group { outputs[index] = output }
            }
        } catch {
            throw DatastoreError.wrapping(error, path: path)
        }
        guard commits.count == before else { return nil }
        return outputs.map { $0! }
    }

    /// Whether heartbeats are waiting to be written.
    public var hasPendingWrites: Bool {
        state.withLock { !$0.pendingRows.isEmpty }
    }

    /// Writes every pending heartbeat now.
    ///
    /// - Throws: `DatastoreError` when the write fails; the heartbeats stay pending and are
    ///   retried by the next flush.
    public func flush() async throws(DatastoreError) {
        guard hasPendingWrites else { return }
        do {
            try await writer.writeWithoutTransaction { db in try self.writePendingRows(db) }
            flushFailure.withLock { $0 = nil }
        } catch {
            let failure = DatastoreError.wrapping(error, path: path)
            flushFailure.withLock { $0 = failure }
            throw failure
        }
    }

    /// Takes the pending rows and writes them in one transaction; if anything fails they go
    /// back to the pending set (unless a newer write of the same event, or a deletion, came in
    /// meanwhile). Must run on the writer, outside a transaction.
    func writePendingRows(_ db: Database) throws {
        let (rows, grown) = state.withLock { state in
            let rows = state.pendingRows
            state.pendingRows = [:]
            return (rows, state.grownMaximumDurations())
        }
        guard !rows.isEmpty else { return }
        do {
            try db.inTransaction {
                try EventRowWriter.writing(db, known: self.knownDataIDs, held: self.heldUses) { writer in
                    for (id, row) in rows {
                        try writer.write(row.event, id: id, bucketRow: row.bucketRow, replacing: true)
                    }
                }
                try Self.storeMaximumDurations(grown, db)
                try self.storeEventIDHighWater(db)
                return .commit
            }
        } catch {
            state.withLock { state in
                let liveRows = Set(state.buckets.values.map(\.row))
                for (id, row) in rows where state.pendingRows[id] == nil && liveRows.contains(row.bucketRow) {
                    state.pendingRows[id] = row
                }
            }
            throw error
        }
        state.withLock { $0.markStored(grown) }
    }

    /// Stores the uses of data texts that writes left held (`HeldUses`), so that
    /// `event_data_uses` counts every event.
    func storeHeldUses() async throws(DatastoreError) {
        try await write { db in try self.heldUses.storeAll(db) }
    }

    /// Records the next event id to give out, so ids of deleted events are never given out again
    /// after a restart. Call in every transaction that writes events with new ids.
    /// Skipped when the stored mark is current (most heartbeat flushes only extend events).
    func storeEventIDHighWater(_ db: Database) throws {
        let (next, stored) = state.withLock { ($0.nextEventID, $0.storedEventIDHighWater) }
        guard next != stored else { return }
        try db.execute(
            sql: "INSERT OR REPLACE INTO key_value (key, value, last_modified) VALUES (?, ?, 0)",
            arguments: [Schema.eventIDHighWaterKey, String(next)]
        )
        db.afterNextTransaction { _ in
            self.state.withLock { $0.storedEventIDHighWater = max($0.storedEventIDHighWater, next) }
        }
    }

    /// Writes grown maximum event durations to the buckets table.
    static func storeMaximumDurations(_ grown: [GrownDuration], _ db: Database) throws {
        for entry in grown {
            try db.execute(
                sql: "UPDATE buckets SET max_duration = ? WHERE id = ?",
                arguments: [entry.nanoseconds, entry.bucketRow])
        }
    }

    /// Asks the flush loop to write pending heartbeats after `flushDelay`.
    func requestFlush() {
        flushRequester.yield()
    }

    /// Writes pending heartbeats in batches until `stopRunning()` is called or the task is
    /// cancelled. Run it for the life of the datastore (the server runs it as a service).
    public func run() async {
        for await _ in flushRequests {
            try? await Task.sleep(for: flushDelay)
            do {
                try await flush()
            } catch {
                logger.error("could not write heartbeats, will retry: \(error)")
                flushRequester.yield()
            }
        }
    }

    /// Ends `run()` after its current batch.
    public func stopRunning() {
        flushRequester.finish()
    }

    /// Writes everything still pending, blocking until it is on disk, then closes the database
    /// and releases it for other processes. The datastore cannot be used afterwards.
    ///
    /// - Throws: `DatastoreError` when the final write fails (the database stays open then).
    public func close() throws(DatastoreError) {
        stopRunning()
        do {
            try writer.writeWithoutTransaction { db in
                try self.writePendingRows(db)
                try db.inTransaction {
                    try self.heldUses.storeAll(db)
                    try self.storeEventIDHighWater(db)
                    return .commit
                }
            }
            try (writer as? DatabasePool)?.close()
        } catch {
            throw DatastoreError.wrapping(error, path: path)
        }
        fileLock?.release()
    }
}
