import AWCore
import ServiceLifecycle

/// The service of a watcher module that samples a display: runs a `SamplingLoop` on its own
/// thread and reports the heartbeats into `bucket` until the host shuts down; then the sampler's
/// held-back heartbeats are delivered before the service ends.
public struct SamplingService: Service {
    let bucket: Bucket
    let context: WatcherContext
    let threadName: String
    let open: @Sendable () -> SamplerOpening<Heartbeat>

    /// - Parameters:
    ///   - bucket: Where the heartbeats go (created when missing).
    ///   - context: The client and logger.
    ///   - threadName: The sampling thread's name.
    ///   - open: Opens the sampler (on the sampling thread; again after each loss).
    public init(
        bucket: Bucket, context: WatcherContext, threadName: String,
        open: @escaping @Sendable () -> SamplerOpening<Heartbeat>
    ) {
        self.bucket = bucket
        self.context = context
        self.threadName = threadName
        self.open = open
    }

    public func run() async {
        let (heartbeats, loop) = SamplingLoop.start(name: threadName, logger: context.logger, open: open)
        let reporter = HeartbeatReporter(bucket: bucket, client: context.client, logger: context.logger)
        await withGracefulShutdownHandler {
            await reporter.deliver(heartbeats)
        } onGracefulShutdown: {
            loop.stop()
        }
    }
}
