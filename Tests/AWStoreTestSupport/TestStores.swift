import AWDatastore
import AWPostgres
import Foundation
import Logging
import PostgresNIO
import Testing

/// The stores a parameterised test runs on: SQLite always, and PostgreSQL when
/// `AW_TEST_POSTGRES_URL` names a server where the user may create databases (the test command
/// starts a private cluster and sets it). Under `CI=true` PostgreSQL is always among them, so
/// that a missing server fails those cases instead of leaving them out.
public enum StoreKind: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    /// The kinds available here.
    public static var all: [StoreKind] {
        postgresServerURL == nil && !runsUnderCI ? [.sqlite] : [.sqlite, .postgres]
    }

    /// Whether the tests run in CI (`CI=true`), where every test must run.
    public static var runsUnderCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Whether the PostgreSQL-only suites run: with a server, and always in CI.
    public static var postgresRuns: Bool { postgresServerURL != nil || runsUnderCI }

    public var testDescription: String { rawValue }

    /// The PostgreSQL server the tests use, if any.
    public static var postgresServerURL: String? {
        ProcessInfo.processInfo.environment["AW_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A new, empty store of this kind: an in-memory SQLite database, or a new PostgreSQL database.
    public func make(logger: Logger = Logger(label: "aw-test-store")) async throws -> any EventStore {
        switch self {
        case .sqlite: return try Datastore.inMemory(logger: logger)
        case .postgres: return try await PostgresStore.open(try Self.newPostgresDatabase(), logger: logger)
        }
    }

    /// Creates a database with a fresh name on the test server and returns its address.
    public static func newPostgresDatabase() async throws -> PostgresAddress {
        let server = try PostgresAddress(try #require(postgresServerURL, "AW_TEST_POSTGRES_URL is not set"))
        let name = "aw_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        var address = server
        address.database = name
        try await withAdminClient(server) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        }
        return address
    }

    /// Runs `body` with a client of the test server's administrative database.
    public static func withAdminClient<T: Sendable>(
        _ server: PostgresAddress, _ body: @Sendable @escaping (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(
            configuration: server.clientConfiguration,
            backgroundLogger: Logger(label: "aw-test-postgres-admin") { _ in SwiftLogNoOpLogHandler() })
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
