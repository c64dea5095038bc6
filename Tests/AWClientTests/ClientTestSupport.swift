import AWClient
import AWCore
import AWDatastore
import AWServer
import AWTestSupport
import Foundation
import Glibc
import Logging
import ServiceLifecycle

/// A real aw-server (HTTP on a loopback port, SQLite in memory) that can be stopped and started
/// again on the same port with the same data, to take it away from a client and bring it back.
final class LiveServer: @unchecked Sendable {
    let port: Int
    let api: ServerAPI
    private var task: Task<Void, any Error>?
    private var group: ServiceGroup?

    init() throws {
        port = freeLoopbackPort()
        api = ServerAPI(
            datastore: try Datastore.inMemory(), info: ServerInfo(hostname: "client-test", testing: true, deviceID: "d")
        )
    }

    /// Starts serving and returns once the port accepts connections.
    func start() async throws {
        let (listening, reporter) = AsyncStream.makeStream(of: Int.self)
        let application = ServerApplication.make(
            api: api, configuration: ServerConfiguration(testing: true, port: port),
            logger: Logger(label: "client-test-server")
        ) { port in reporter.yield(port) }
        let group = ServiceGroup(services: [application], logger: Logger(label: "client-test-group"))
        self.group = group
        task = Task { try await group.run() }
        var iterator = listening.makeAsyncIterator()
        _ = await iterator.next()
    }

    /// Stops serving (connections are refused until `start()`).
    func stop() async {
        await group?.triggerGracefulShutdown()
        _ = await task?.result
        task = nil
    }

    /// A client of this server in private directories.
    func client(name: String = "aw-client-test", home: String) throws -> ActivityWatchClient {
        try ActivityWatchClient(
            clientName: name, testing: true,
            configuration: ClientConfiguration(testing: true, port: port, commitInterval: 1),
            directories: Directories(environment: [
                "HOME": home, "XDG_DATA_HOME": "\(home)/data", "XDG_CONFIG_HOME": "\(home)/config",
            ]))
    }

}

/// A fresh directory, removed by the caller.
func temporaryHome() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("aw-client-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

extension Timestamp {
    static func at(_ seconds: Double) -> Timestamp {
        Timestamp(nanoseconds: 1_714_550_400_000_000_000 + Int64(seconds * 1e9))
    }
}
