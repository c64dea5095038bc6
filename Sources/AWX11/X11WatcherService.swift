import AWCore
import AWWatcherKit
import ServiceLifecycle

/// The service of an X11 watcher module: polls with `Poller` on its own thread and reports the
/// heartbeats into `bucket` until the server shuts down; then the poller's held-back heartbeats
/// are delivered before the service ends.
public struct X11WatcherService<Poller: X11Poller>: Service where Poller.Output == Heartbeat {
    let configuration: Poller.Configuration
    let displayName: String?
    let bucket: Bucket
    let context: WatcherContext

    /// - Parameters:
    ///   - poller: The poller type.
    ///   - configuration: What the poller is made from.
    ///   - displayName: The X display; `nil` for `$DISPLAY`.
    ///   - bucket: Where the heartbeats go (created when missing).
    ///   - context: The client and logger.
    public init(
        _ poller: Poller.Type, configuration: Poller.Configuration, displayName: String?, bucket: Bucket,
        context: WatcherContext
    ) {
        self.configuration = configuration
        self.displayName = displayName
        self.bucket = bucket
        self.context = context
    }

    public func run() async throws {
        let (heartbeats, loop) = X11PollLoop.start(
            Poller.self, configuration: configuration, displayName: displayName, logger: context.logger)
        let reporter = HeartbeatReporter(bucket: bucket, client: context.client, logger: context.logger)
        await withGracefulShutdownHandler {
            await reporter.deliver(heartbeats)
        } onGracefulShutdown: {
            loop.stop()
        }
    }
}
