import AWCore
import Logging
import ServiceLifecycle

/// Hands back the pages only starting used (`StartupPages`) once the server and its watchers
/// have been running for `delay`, then ends.
struct StartupPagesService: Service {
    /// Long enough for the watchers' first polls, heartbeats and the first writes.
    var delay: Duration = .seconds(30)
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
        } catch {
            return
        }
        HeapMemory.releaseFreedMemory()  // what opening the database and the plugins freed
        guard let (before, after) = StartupPages.release() else { return }
        logger.info(
            "handed back the pages only starting used: resident memory \(before / 1024) MiB → \(after / 1024) MiB")
    }
}
