import AWClient
import AWCore
import ArgumentParser
import Foundation

/// An example stand-alone watcher on AWClient: `aw-watcher-load` records the machine's load into
/// `aw-watcher-load_<hostname>` as "idle", "busy" or "overloaded" (the 1-minute load average per
/// CPU core below 0.5, below 1, or above), so a query shows how long the machine worked hard.
///
/// It runs as its own process against any ActivityWatch server, like the Python watchers:
/// heartbeats are pre-merged and wait in a queue on disk while the server is away.
@main
struct LoadWatcher: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aw-watcher-load", abstract: "Record how busy this machine is into ActivityWatch.")

    @Flag(help: "Report to the testing server (port 5666).")
    var testing = false

    @Option(help: "The server's host (default from aw-client.toml).")
    var host: String?

    @Option(help: "The server's port (default from aw-client.toml).")
    var port: Int?

    @Option(help: "Seconds between readings.")
    var pollTime = 5.0

    func validate() throws {
        guard pollTime > 0 else { throw ValidationError("--poll-time must be above 0") }
    }

    func run() async throws {
        let client = try ActivityWatchClient(
            clientName: "aw-watcher-load", testing: testing,
            configuration: ClientConfiguration.load(testing: testing, host: host, port: port))
        let bucketID = "aw-watcher-load_\(client.clientHostname)"
        try await client.createBucket(bucketID, type: "os.load", queued: true)
        print("aw-watcher-load: reporting to \(client.serverURL) into \(bucketID)")

        // Stop on SIGTERM/SIGINT; what is pending is sent (or stays queued) before exiting.
        let (stops, stop) = AsyncStream.makeStream(of: Void.self)
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber)
            source.setEventHandler { stop.yield() }
            source.resume()
            sources.append(source)
        }
        let poller = Task {
            let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
            while !Task.isCancelled {
                if let load = Self.loadAverage() {
                    let perCore = load / cores
                    let state = perCore < 0.5 ? "idle" : perCore < 1 ? "busy" : "overloaded"
                    let event = Event(timestamp: .now, data: ["state": .string(state)])
                    try await client.heartbeat(event, bucketID: bucketID, pulsetime: pollTime + 1, queued: true)
                }
                try await Task.sleep(for: .seconds(pollTime))
            }
        }
        for await _ in stops { break }
        poller.cancel()
        _ = await poller.result
        await client.disconnect(timeout: .seconds(5))
        sources.forEach { $0.cancel() }
    }

    /// The 1-minute load average from /proc/loadavg.
    static func loadAverage() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }
}
