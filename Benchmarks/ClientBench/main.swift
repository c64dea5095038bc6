// Heartbeats per second through LocalClient (how built-in watcher modules report, in process)
// and through ActivityWatchClient over HTTP (how any other watcher reports), against the same
// server: one SQLite file, the flush loop running, the HTTP server on a loopback port.
//
// Usage: swift run -c release aw-client-bench [local-count] [http-count]
import AWClient
import AWCore
import AWDatastore
import AWServer
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

let localCount = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 200_000 : 200_000
let httpCount = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 20_000 : 20_000
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aw-client-bench-\(getpid())").path
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }

var quiet = Logger(label: "bench")
quiet.logLevel = .critical
let datastore = try Datastore(path: "\(directory)/bench.db", logger: quiet)
let api = ServerAPI(
    datastore: datastore, info: ServerInfo(hostname: "bench", testing: true, deviceID: "bench"), logger: quiet)
let (listening, reportPort) = AsyncStream.makeStream(of: Int.self)
let application = ServerApplication.make(
    api: api, configuration: ServerConfiguration(testing: true, port: 0), logger: quiet
) { port in reportPort.yield(port) }
let group = ServiceGroup(
    services: [DatastoreService(datastore: datastore, logger: quiet), application], logger: quiet)
let serving = Task { try await group.run() }
/// The port the HTTP server listens on, once it does.
func listeningPort(_ reports: AsyncStream<Int>) async -> Int {
    for await port in reports { return port }
    fatalError("the HTTP server did not start")
}
let port = await listeningPort(listening)

/// A watcher's heartbeat stream: one per second, the window changing every 20 s.
func heartbeat(_ index: Int, offset: Int) -> Event {
    Event(
        timestamp: Timestamp(secondsSince1970: Double(1_700_000_000 + offset + index)),
        data: ["app": .string("App \(index / 20 % 7)"), "title": .string("Window \(index / 20)")])
}

/// Sends `count` heartbeats into a new bucket through `client`; heartbeats per second.
func measure(_ client: any WatcherClient, bucket: String, count: Int, offset: Int) async throws -> Double {
    try await client.ensureBucket(Bucket(id: bucket, type: "currentwindow", client: "bench", hostname: "bench"))
    let started = ContinuousClock.now
    for index in 0..<count {
        try await client.heartbeat(heartbeat(index, offset: offset), bucketID: bucket, pulsetime: 2)
    }
    let elapsed = ContinuousClock.now - started
    return Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

/// Sends every heartbeat over HTTP at once (no pre-merging), as a watcher without a queue does.
struct DirectHTTPClient: WatcherClient {
    let client: ActivityWatchClient
    func ensureBucket(_ bucket: Bucket) async throws {
        try await client.createBucket(bucket.id, type: bucket.type, client: bucket.client, hostname: bucket.hostname)
    }
    func heartbeat(_ event: Event, bucketID: String, pulsetime: Double) async throws {
        _ = try await client.heartbeat(event, bucketID: bucketID, pulsetime: pulsetime)
    }
    func insertEvents(_ events: [Event], bucketID: String) async throws {
        try await client.insertEvents(events, bucketID: bucketID)
    }
}

let http = try ActivityWatchClient(
    clientName: "aw-client-bench", testing: true, configuration: ClientConfiguration(testing: true, port: port))
let httpRate = try await measure(DirectHTTPClient(client: http), bucket: "bench-http", count: httpCount, offset: 0)
let localRate = try await measure(LocalClient(api: api), bucket: "bench-local", count: localCount, offset: 0)
let stored = try await api.getEvents(bucketID: "bench-local").count
print(
    """
    What is compared: the same heartbeat stream (one per second of activity, the window changing every 20 s) \
    into one server and one SQLite file, sent by a built-in module's path (LocalClient calls ServerAPI in \
    the process: no HTTP, no JSON) and by any other watcher's path (ActivityWatchClient over loopback HTTP, \
    one request per heartbeat, waiting for each answer, no pre-merging). Both are acknowledged by the same \
    heartbeat merge and written by the same flush loop.
    """)
print("heartbeats through LocalClient:        \(Int(localRate))/s (\(localCount) sent, \(stored) events stored)")
print("heartbeats through HTTP (aw-client):    \(Int(httpRate))/s (\(httpCount) sent, one request each)")
print(String(format: "LocalClient / HTTP:                     %.0fx", localRate / httpRate))
await group.triggerGracefulShutdown()
_ = await serving.result
