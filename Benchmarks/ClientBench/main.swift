// Heartbeats per second through LocalClient (how a Swift module reports, in process), through the
// plugin C ABI (a C plugin's calls into the host's table, which ends in LocalClient), and through
// ActivityWatchClient over HTTP (how any other watcher reports), against the same server: one
// SQLite file, the flush loop running, the HTTP server on a loopback port.
//
// Usage: swift run -c release aw-client-bench [local-count] [http-count] [plugin-file]
// (plugin-file: Benchmarks/ClientBench/heartbeat-plugin.c built as its comment says)
//
// Tasks run on SwiftNIO's event loops, as in aw-server; with AW_BENCH_RUNTIME_EXECUTOR=1 they run
// on the Swift runtime's own thread pool instead, to see what that choice costs each path.
import AWClient
import AWCore
import AWDatastore
import AWPluginHost
import AWServer
import AWWatcherKit
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

if getenv("AW_BENCH_RUNTIME_EXECUTOR") == nil { EventLoopsAsGlobalExecutor.install() }

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
    return Double(count) / seconds(ContinuousClock.now - started)
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

/// Log messages kept, to read the plugin's figure from.
final class KeptMessages: Sendable {
    let lines = Mutex<[String]>([])
}

/// A log handler that keeps the messages.
struct KeepingLogHandler: LogHandler {
    let messages: KeptMessages
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) { messages.lines.withLock { $0.append("\(event.message)") } }
}

/// Runs the bench plugin's module with `count` heartbeats through the host's table into
/// LocalClient; heartbeats per second, as the plugin timed them.
func measurePlugin(_ path: String, count: Int, logger: Logger) async throws -> Double {
    let url = URL(fileURLWithPath: path)
    let catalog = PluginCatalog(folders: [
        .init(path: url.deletingLastPathComponent().path, prefix: url.lastPathComponent)
    ])
    guard let descriptor = catalog.modules.first(where: { $0.name == "bench-heartbeats" }) else {
        fatalError("\(path) provides no bench-heartbeats module: \(catalog.problems)")
    }
    let module = try descriptor.configure(
        ConfigSection(file: path, name: "watchers.bench-heartbeats", json: ["count": .int(Int64(count))]),
        testing: true)
    let messages = KeptMessages()
    let handler = KeepingLogHandler(messages: messages)
    let context = WatcherContext(
        client: LocalClient(api: api), logger: Logger(label: "bench-plugin") { _ in handler }, hostname: "bench",
        testing: true)
    let pluginGroup = ServiceGroup(services: [module.makeService(context: context)], logger: logger)
    let running = Task { try await pluginGroup.run() }
    var line: String?
    while line == nil {
        try await Task.sleep(for: .milliseconds(20))
        line = messages.lines.withLock { $0.first }
    }
    await pluginGroup.triggerGracefulShutdown()
    _ = await running.result
    guard let line, line.hasPrefix("sent "), let seconds = Double(line.split(separator: " ")[4]) else {
        fatalError("the plugin said: \(line ?? "")")
    }
    return Double(count) / seconds
}

/// Bulk inserts as `POST …/events` does them inside the server, without the HTTP connection: each
/// request body (1,000 window events as JSON, made beforehand, as a client would send them) is
/// read and validated while the writer stores the events read so far, all committed together, and
/// the answer (the stored events with their ids) is written as JSON. Timed over `batches` batches,
/// each step apart; then reading alone, the same bodies again, to show what storing hides of it.
func measureBulk(batches: Int, batchSize: Int = 1000) async throws -> BulkFigures {
    try await api.createBucket(Bucket(id: "bench-bulk", type: "currentwindow", client: "bench", hostname: "bench"))
    let bodies: [[UInt8]] = (0..<batches).map { batch in
        var writer = JSONWriter()
        writer.writeByte(UInt8(ascii: "["))
        for index in 0..<batchSize {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            let number = batch * batchSize + index
            Event(
                timestamp: Timestamp(secondsSince1970: Double(1_600_000_000 + 10 * number)),
                durationNanoseconds: 5_000_000_000,
                data: ["app": .string("app\(number % 40)"), "title": .string("title \(number % 3000)")]
            ).write(to: &writer)
        }
        writer.writeByte(UInt8(ascii: "]"))
        return writer.bytes
    }
    var (storing, answering, reading) = (Duration.zero, Duration.zero, Duration.zero)
    let clock = ContinuousClock()
    for body in bodies {
        var stored: [EncodedEvent] = []
        storing += try await clock.measure {
            stored = try await api.createEvents(bucketID: "bench-bulk") { feed throws(EventDecodingError) in
                try feed.decode(body)
            }.get()
        }
        answering += clock.measure { precondition(!stored.jsonArray.isEmpty) }
    }
    for body in bodies {
        reading += try clock.measure { _ = try body.withUnsafeBytes { try EncodedEvent.decodeList(from: $0) } }
    }
    let events = Double(batches * batchSize)
    func microseconds(_ duration: Duration) -> Double { seconds(duration) * 1e6 / events }
    return BulkFigures(
        eventsPerSecond: events / seconds(storing + answering),
        readingAndStoring: microseconds(storing), answering: microseconds(answering),
        readingAlone: microseconds(reading))
}

/// `duration` in seconds.
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// What `measureBulk` found: the rate, and microseconds per event in each step.
struct BulkFigures {
    var eventsPerSecond, readingAndStoring, answering, readingAlone: Double
}

let bulk = try await measureBulk(batches: 300)
let http = try ActivityWatchClient(
    clientName: "aw-client-bench", testing: true, configuration: ClientConfiguration(testing: true, port: port))
let httpRate = try await measure(DirectHTTPClient(client: http), bucket: "bench-http", count: httpCount, offset: 0)
let localRate = try await measure(LocalClient(api: api), bucket: "bench-local", count: localCount, offset: 0)
let stored = try await api.getEvents(bucketID: "bench-local").count
let pluginRate =
    CommandLine.arguments.count > 3
    ? try await measurePlugin(CommandLine.arguments[3], count: localCount, logger: quiet) : nil
print(
    """
    What is compared: the same heartbeat stream (one per second of activity, the window changing every 20 s) \
    into one server and one SQLite file, sent by a Swift module's path in the server (LocalClient calls \
    ServerAPI in the process: no HTTP, no JSON), by a C plugin's path (each heartbeat written as JSON by the \
    plugin, read by the host, then LocalClient; the plugin's thread waits for each) and by any other watcher's path (ActivityWatchClient over loopback HTTP, \
    one request per heartbeat, waiting for each answer, no pre-merging). All are acknowledged by the same \
    heartbeat merge and written by the same flush loop.
    """)
print(
    "bulk inserts in the server (POST bodies of 1000 events read while stored, committed, answered): "
        + "\(Int(bulk.eventsPerSecond)) events/s; per event: "
        + String(
            format: "read and store %.2f µs, answer %.2f µs (reading alone %.2f µs)", bulk.readingAndStoring,
            bulk.answering, bulk.readingAlone))
print("heartbeats through LocalClient:        \(Int(localRate))/s (\(localCount) sent, \(stored) events stored)")
print("heartbeats through HTTP (aw-client):    \(Int(httpRate))/s (\(httpCount) sent, one request each)")
print(String(format: "LocalClient / HTTP:                     %.0fx", localRate / httpRate))
if let pluginRate {
    print("heartbeats through the plugin C ABI:    \(Int(pluginRate))/s (\(localCount) sent by a C plugin)")
    print(String(format: "plugin C ABI / LocalClient:             %.2fx", pluginRate / localRate))
    print(String(format: "plugin C ABI / HTTP:                    %.0fx", pluginRate / httpRate))
}
await group.triggerGracefulShutdown()
_ = await serving.result
