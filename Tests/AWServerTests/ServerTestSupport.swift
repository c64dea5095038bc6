import AWCore
import AWDatastore
import AWTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import AWServer

/// An aw-server on a new store (in-memory SQLite unless given), exercised through
/// HummingbirdTesting; the store is closed when `withClient` or `withLiveServer` ends.
struct TestServer {
    let api: ServerAPI
    let configuration: ServerConfiguration
    let logs = RecentLogRecords()

    init(configuration: ServerConfiguration = ServerConfiguration(testing: true), store: (any EventStore)? = nil) throws
    {
        self.configuration = configuration
        let logs = self.logs
        let logger = Logger(label: "aw-test") { label in
            RecordingLogHandler(label: label, level: .debug, sinks: .init(standardError: false, recent: logs))
        }
        api = ServerAPI(
            datastore: try store ?? Datastore.inMemory(),
            info: ServerInfo(hostname: "test-host", testing: true, deviceID: "device-1"),
            recentLogRecords: logs,
            logger: logger
        )
    }

    var application: some ApplicationProtocol {
        ServerApplication.make(api: api, configuration: configuration, logger: Logger(label: "aw-test-http"))
    }

    /// Runs requests against the router in process.
    func withClient(_ body: @Sendable (TestClient) async throws -> Void) async throws {
        try await closingStore {
            try await application.test(.router) { client in try await body(TestClient(base: client)) }
        }
    }

    /// Runs `body`, then closes the store whatever happened.
    private func closingStore(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            try? await api.datastore.close()
            throw error
        }
        try await api.datastore.close()
    }

    /// Runs a live server on a free port of the configured address and passes the port.
    func withLiveServer(_ body: @Sendable (Int) async throws -> Void) async throws {
        try await closingStore { try await serveLive(body) }
    }

    private func serveLive(_ body: @Sendable (Int) async throws -> Void) async throws {
        var live = configuration
        live.port = 0
        let (ports, portReporter) = AsyncStream.makeStream(of: Int.self)
        let application = ServerApplication.make(api: api, configuration: live, logger: Logger(label: "aw-test-http")) {
            port in
            portReporter.yield(port)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await body(port)
            group.cancelAll()
        }
    }
}

/// A request helper over HummingbirdTesting's client.
struct TestClient: Sendable {
    let base: any TestClientProtocol

    struct Answer {
        var status: Int
        var headers: HTTPFields
        var text: String
        var json: JSON? { try? JSON.parse(text) }
        var message: String? { json?["message"]?.stringValue }
    }

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, headers: HTTPFields = [:])
        async throws -> Answer
    {
        var fields = headers
        if body != nil && fields[.contentType] == nil { fields[.contentType] = "application/json" }
        let response = try await base.executeRequest(
            uri: path, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) })
        return Answer(status: Int(response.status.code), headers: response.headers, text: String(buffer: response.body))
    }
}
