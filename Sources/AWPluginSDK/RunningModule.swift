import AWWatcherKit
import Dispatch
import Logging
import ServiceLifecycle

/// A module started by the host: its service runs in a service group of its own until the host
/// calls `stop`.
final class RunningModule: Sendable {
    private let group: ServiceGroup
    private let running: Task<Void, Never>

    init(module: any WatcherModule, connection: HostConnection, name: String) {
        let logger = Logger(label: name) { _ in HostLogHandler(connection: connection) }
        let context = WatcherContext(
            client: connection, logger: logger, hostname: connection.hostname, testing: connection.testing)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: module.makeService(context: context))], logger: logger))
        self.group = group
        running = Task {
            do {
                try await group.run()
            } catch {
                logger.error("stopped: \(error)")
            }
        }
    }

    /// Stops the service and waits until it has stopped; blocks the calling thread (the host's).
    func stop() {
        let stopped = DispatchSemaphore(value: 0)
        let group = self.group
        let running = self.running
        Task {
            await group.triggerGracefulShutdown()
            await running.value
            stopped.signal()
        }
        stopped.wait()
    }
}
