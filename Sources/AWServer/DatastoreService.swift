import AWDatastore
import Logging
import ServiceLifecycle

/// Runs the store's background work (heartbeat flushing, database connections) for the life of
/// the server and, on shutdown, writes everything still pending before the process exits.
///
/// Put it before the HTTP server in a `ServiceGroup`: services stop in reverse order, so the
/// server stops taking requests first and the datastore flushes last.
public struct DatastoreService: Service {
    let datastore: any EventStore
    let logger: Logger

    public init(datastore: any EventStore, logger: Logger) {
        self.datastore = datastore
        self.logger = logger
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await datastore.run()
        } onGracefulShutdown: {
            datastore.stopRunning()
        }
        do {
            try await datastore.close()
            logger.info("datastore closed, all heartbeats written")
        } catch {
            logger.critical("could not write the last heartbeats: \(error)")
            throw error
        }
    }
}
