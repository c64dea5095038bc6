import AWCore
import AWDatastore
import Logging
import PostgresNIO
import Synchronization

/// ActivityWatch storage in a PostgreSQL database, which several aw-server processes (one per
/// site, or several behind a load balancer) may share.
///
/// Every call is its own transaction and is committed before it returns, heartbeats included:
/// a heartbeat locks its bucket's row, merges into the event the bucket's last heartbeat went
/// to (or its newest) and writes it back, so two servers receiving heartbeats for the same bucket neither lose nor duplicate time.
/// When the database cannot be reached, calls fail within `timeout` with
/// `DatastoreError.unavailable`; the connection pool keeps reconnecting, so calls succeed again
/// once the database is back, without restarting aw-server.
public final class PostgresStore: EventStore {
    /// The database, without its password.
    public let address: PostgresAddress
    public var location: String { address.description }
    /// Whether `open` created the schema (in an empty database).
    public var isNew: Bool { created.load(ordering: .relaxed) }
    private let created = Atomic<Bool>(false)
    /// How long a call waits for a database connection before failing with `.unavailable`.
    public let timeout: Duration

    let client: PostgresClient
    let logger: Logger
    /// Parsed event data shared by all reads.
    let dataCache = EventDataCache()
    private let pool: Task<Void, Never>
    private let stopped: AsyncStream<Void>
    private let stopper: AsyncStream<Void>.Continuation

    /// Connects to the database and brings its schema up to date (creating it in an empty
    /// database). Several servers may open the same database at once.
    ///
    /// - Throws: `DatastoreError.unavailable` when the database cannot be reached within
    ///   `timeout`, `.unknownSchema` for a database a newer aw-server wrote, or the database's
    ///   own refusal (a wrong password, a missing database).
    public static func open(
        _ address: PostgresAddress, timeout: Duration = .seconds(5), logger: Logger = Logger(label: "aw.datastore")
    ) async throws(DatastoreError) -> PostgresStore {
        let store = PostgresStore(address: address, timeout: timeout, logger: logger)
        do {
            try await store.prepareDatabase()
        } catch {
            try? await store.close()
            throw error
        }
        logger.debug("opened datastore", metadata: ["db.address": "\(address)"])
        return store
    }

    private init(address: PostgresAddress, timeout: Duration, logger: Logger) {
        self.address = address
        self.timeout = timeout
        self.logger = logger
        var poolLogger = logger
        poolLogger.logLevel = .critical  // connection failures reach callers as `.unavailable`
        let client = PostgresClient(configuration: address.clientConfiguration, backgroundLogger: poolLogger)
        self.client = client
        pool = Task { await client.run() }
        (stopped, stopper) = AsyncStream.makeStream(of: Void.self)
    }

    /// Brings the schema up to date on a connection of its own, outside the pool. The pool retries
    /// a failed connection until a request's `timeout`, which tells a user only that none could be
    /// had; this connection's failure says why (a wrong password, a server that wants
    /// encryption, a certificate not trusted).
    private func prepareDatabase() async throws(DatastoreError) {
        let configuration: PostgresConnection.Configuration
        do {
            configuration = try address.connectionConfiguration(timeout: timeout)
        } catch {
            throw .cannotOpen(path: location, reason: "sslrootcert names a file without a PEM certificate")
        }
        do {
            let connection = try await PostgresConnection.connect(
                configuration: configuration, id: 0, logger: logger)
            do {
                created.store(try await PostgresSchema.migrate(connection, logger: logger), ordering: .relaxed)
            } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
        } catch {
            throw translate(error)
        }
    }

    /// Waits until `stopRunning()`: the connection pool runs from `open` to `close()`.
    public func run() async {
        for await _ in stopped {}
    }

    public func stopRunning() {
        stopper.finish()
    }

    /// Closes every connection. Nothing is held in memory, so nothing is lost.
    public func close() async throws(DatastoreError) {
        stopRunning()
        pool.cancel()
        await pool.value
    }

    // MARK: Running statements

    /// Runs `body` on a pooled connection. When no connection can be had within `timeout` (the
    /// database is down or unreachable) it fails with `.unavailable`; once it has one, `body`
    /// takes as long as its work does (a large import, say). Database errors are translated.
    func perform<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws(DatastoreError) -> T
    {
        let (client, timeout, location) = (self.client, self.timeout, self.location)
        let leased = Flag()
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await client.withConnection { connection in
                        leased.set()
                        return try await body(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    if leased.isSet { return nil }
                    throw DatastoreError.unavailable(location: location, reason: "no connection within \(timeout)")
                }
                defer { group.cancelAll() }
                while let next = try await group.next() {
                    if let result = next { return result }
                }
                throw DatastoreError.storageFailure(reason: "a PostgreSQL request ended without a result")
            }
        } catch {
            throw translate(error)
        }
    }

    /// How many times a transaction that deadlocked or failed to serialize is run again.
    static let busyRetries = 8

    /// Runs `body` in a transaction on a pooled connection (committed when it returns, rolled
    /// back when it throws), with `perform`'s rules. A transaction PostgreSQL rolled back because
    /// of other writers (a deadlock, a serialization failure) is run again, up to `busyRetries`
    /// times after a short random wait; then it fails with `.busy` (HTTP 503).
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws(DatastoreError) -> T
    {
        let logger = self.logger
        var attempt = 0
        while true {
            do {
                return try await perform { connection in
                    try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
                }
            } catch .busy(let location, let reason) where attempt < Self.busyRetries {
                attempt += 1
                logger.debug("transaction rolled back by other writers; running it again: \(reason) (\(location))")
                try? await Task.sleep(for: .milliseconds(Int.random(in: 5...(20 * attempt))))
            }
        }
    }

    /// A database or connection error as the datastore error callers get.
    func translate(_ error: any Error) -> DatastoreError {
        switch error {
        case let error as DatastoreError:
            return error
        case let error as PostgresTransactionError:
            if let inner = error.closureError ?? error.beginError ?? error.commitError { return translate(inner) }
            return .storageFailure(reason: "PostgreSQL transaction failed")
        case let error as PSQLError:
            return translate(error)
        case is PostgresDecodingError:
            return .storageFailure(reason: "PostgreSQL returned a value of an unexpected type: \(error)")
        case is CancellationError:
            return .unavailable(location: location, reason: "the request was cancelled")
        default:
            // The connection pool's own errors: it could not connect.
            return .unavailable(location: location, reason: "\(error)")
        }
    }

    private func translate(_ error: PSQLError) -> DatastoreError {
        guard error.code == .server, let info = error.serverInfo else {
            if let reason = encryptionFailure(error) { return .cannotOpen(path: location, reason: reason) }
            if let failure = error.underlying as? NIOConnectionError {
                return .unavailable(location: location, reason: Self.reason(failure))
            }
            let detail = error.underlying.map { ": \($0)" } ?? ""
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown,
                .sslUnsupported, .failedToAddSSLHandler, .queryCancelled:
                return .unavailable(location: location, reason: "\(error.code)\(detail)")
            default:
                return .storageFailure(reason: "PostgreSQL client error \(error.code)\(detail)")
            }
        }
        let state = info[.sqlState] ?? ""
        let message = info[.message] ?? "error \(state)"
        switch state {
        case _ where state.hasPrefix("08"), _ where state.hasPrefix("57P"):  // connection lost, shutting down
            return .unavailable(location: location, reason: message)
        case "40P01", "40001": return .busy(location: location, reason: message)  // deadlock, serialization failure
        case "53100": return .storageFull(path: location)  // disk_full
        case "25006": return .readOnly(path: location)  // read_only_sql_transaction (a standby)
        case "3D000", "28P01", "28000":  // no such database, wrong password, not allowed
            return .cannotOpen(path: location, reason: message)
        default: return .storageFailure(reason: "PostgreSQL: \(message) (\(state))")
        }
    }

    /// Why an encrypted connection could not be set up, when trying again will not mend it: the
    /// server offers no encryption, or its certificate is not accepted.
    private func encryptionFailure(_ error: PSQLError) -> String? {
        let mode = "sslmode=\(address.tls.rawValue)"
        if error.code == .sslUnsupported {
            return "the server does not offer encrypted connections, which \(mode) needs"
        }
        if let failure = error.underlying as? NIOSSLExtraError, failure == .failedToValidateHostname {
            return "the server's certificate is not for the host '\(address.host)' (\(mode) checks the name)"
        }
        guard let failure = error.underlying as? NIOSSLError, case .handshakeFailed(let reason) = failure else {
            return nil
        }
        guard "\(reason)".contains("CERTIFICATE_VERIFY_FAILED") else { return "the TLS handshake failed: \(reason)" }
        let trusted =
            switch address.trustedAuthorities {
            case .system: "the system's; name the one that signed it with sslrootcert=FILE"
            case .file(let path): "those in \(path)"
            }
        return "the server's certificate is not signed by a trusted authority (\(mode); trusted: \(trusted))"
    }

    /// A failed TCP connection in a few words: "Connection refused", a name not found.
    private static func reason(_ failure: NIOConnectionError) -> String {
        if let io = failure.connectionErrors.lazy.compactMap({ $0.error as? IOError }).first {
            return String(cString: strerror(io.errnoCode))
        }
        if failure.connectionErrors.isEmpty { return "the host name '\(failure.host)' cannot be resolved" }
        return "\(failure)"
    }
}

// MARK: - Settings

extension PostgresStore {
    public func settings() async throws(DatastoreError) -> [String: JSON] {
        try await perform { connection in
            var result: [String: JSON] = [:]
            let rows = try await connection.run("SELECT key, value FROM key_value WHERE key LIKE 'settings.%'")
            for try await (key, value) in rows.decode((String, String).self) {
                result[Self.settingKey(stored: key)] = (try? JSON.parse(value)) ?? .null
            }
            return result
        }
    }

    public func setting(_ key: String) async throws(DatastoreError) -> JSON? {
        let storedKey = try Self.storedSettingKey(key)
        return try await perform { connection in
            let rows = try await connection.run("SELECT value FROM key_value WHERE key = \(storedKey)")
            for try await value in rows.decode(String.self) { return (try? JSON.parse(value)) ?? .null }
            return nil
        }
    }

    public func setSetting(_ key: String, to value: JSON) async throws(DatastoreError) {
        let storedKey = try Self.storedSettingKey(key)
        let text = value.serialized()
        let now = Timestamp.now.nanoseconds / 1_000_000_000
        _ = try await perform { connection in
            try await connection.run(
                """
                INSERT INTO key_value (key, value, last_modified) VALUES (\(storedKey), \(text), \(now))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, last_modified = excluded.last_modified
                """)
        }
    }

    public func deleteSetting(_ key: String) async throws(DatastoreError) {
        let storedKey = try Self.storedSettingKey(key)
        _ = try await perform { connection in
            try await connection.run("DELETE FROM key_value WHERE key = \(storedKey)")
        }
    }
}

extension PostgresConnection {
    /// Runs a statement on this connection, logging to the connection's logger.
    @discardableResult
    func run(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await self.query(query, logger: logger)
    }
}

extension AsyncSequence {
    /// Every element, in order.
    func all() async throws -> [Element] {
        var elements: [Element] = []
        for try await element in self { elements.append(element) }
        return elements
    }
}

/// A flag one task sets and another reads.
final class Flag: Sendable {
    private let state = Mutex(false)

    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}
