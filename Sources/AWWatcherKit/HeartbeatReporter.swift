import AWCore
import Logging

/// Sends a stream of heartbeats into one bucket: creates the bucket first (retrying until the
/// server takes it), then delivers each heartbeat in order. A failed delivery is logged once per
/// run of failures and the watcher goes on; it never stops the watching.
public struct HeartbeatReporter: Sendable {
    /// The bucket the heartbeats go into.
    public let bucket: Bucket
    let client: any WatcherClient
    let logger: Logger

    public init(bucket: Bucket, client: any WatcherClient, logger: Logger) {
        self.bucket = bucket
        self.client = client
        self.logger = logger
    }

    /// Delivers `heartbeats` until the stream ends.
    public func deliver(_ heartbeats: some AsyncSequence<Heartbeat, Never>) async {
        var delay: Duration = .seconds(1)
        while !Task.isCancelled {
            do {
                try await client.ensureBucket(bucket)
                break
            } catch {
                logger.warning("cannot create bucket '\(bucket.id)', retrying in \(delay): \(error)")
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(60))
            }
        }
        var failing = false
        for await heartbeat in heartbeats {
            do {
                do {
                    try await client.heartbeat(heartbeat.event, bucketID: bucket.id, pulsetime: heartbeat.pulsetime)
                } catch {
                    // The bucket may have been deleted meanwhile: create it again and retry once.
                    try await client.ensureBucket(bucket)
                    try await client.heartbeat(heartbeat.event, bucketID: bucket.id, pulsetime: heartbeat.pulsetime)
                }
                if failing {
                    logger.info("heartbeats to '\(bucket.id)' are recorded again")
                    failing = false
                }
            } catch {
                if !failing { logger.error("cannot record heartbeats to '\(bucket.id)': \(error)") }
                failing = true
            }
        }
    }
}
