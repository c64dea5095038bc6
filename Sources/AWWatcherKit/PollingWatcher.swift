import AWCore
import Logging
import ServiceLifecycle

/// A watcher module that looks at something every `pollTime` seconds and records what it sees.
/// The kit does the rest: the bucket (`aw-watcher-<name>_<hostname>`), heartbeats that merge into
/// one event while nothing changes, retries while the server is away, a warning when sampling
/// fails, and stopping with the host. The same type runs inside `aw-server` (listed among its
/// modules) and as a process of its own (`WatcherRunner` in AWWatcherRunner).
///
/// ```swift
/// struct UptimeWatcher: PollingWatcher {
///     static let name = "uptime"
///     static let eventType = "os.uptime"
///     ...
///     func sample() async throws -> [String: JSON]? { ["state": "up"] }
/// }
/// ```
public protocol PollingWatcher: WatcherModule {
    /// The type of the bucket's events, e.g. `os.load`.
    static var eventType: String { get }
    /// Seconds between samples.
    var pollTime: Double { get }
    /// What to record now. `nil` records nothing (a gap until the next sample); an error is
    /// logged once, until a sample succeeds again.
    func sample() async throws -> [String: JSON]?
}

extension PollingWatcher {
    /// The bucket a watcher of this type records into on `hostname`.
    public static func bucket(hostname: String) -> Bucket {
        Bucket(id: "aw-watcher-\(name)_\(hostname)", type: eventType, client: "aw-watcher-\(name)", hostname: hostname)
    }

    /// Samples every `pollTime` seconds until the host stops.
    public func makeService(context: WatcherContext) -> any Service {
        PollingService(watcher: self, context: context)
    }
}

/// Runs a `PollingWatcher`: samples, heartbeats each sample with a pulsetime of `pollTime + 1`
/// (so consecutive equal samples make one event), and stops on graceful shutdown.
struct PollingService<Watcher: PollingWatcher>: Service {
    let watcher: Watcher
    let context: WatcherContext

    func run() async {
        let reporter = HeartbeatReporter(
            bucket: Watcher.bucket(hostname: context.hostname), client: context.client, logger: context.logger)
        let (heartbeats, sink) = AsyncStream.makeStream(of: Heartbeat.self)
        async let delivered: Void = reporter.deliver(heartbeats)
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                do {
                    if let data = try await watcher.sample() {
                        sink.yield(
                            Heartbeat(event: Event(timestamp: .now, data: data), pulsetime: watcher.pollTime + 1))
                    }
                    if failing { context.logger.info("the \(Watcher.name) watcher records again") }
                    failing = false
                } catch {
                    if !failing { context.logger.warning("the \(Watcher.name) watcher cannot sample: \(error)") }
                    failing = true
                }
                try? await Task.sleep(for: .seconds(watcher.pollTime))
            }
        }
        sink.finish()
        await delivered
    }
}
