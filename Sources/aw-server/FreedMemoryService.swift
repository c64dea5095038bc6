import AWCore
import ServiceLifecycle

/// Hands the heap memory that large requests freed back to the system once they have stopped
/// for `quietPeriod` (`HeapMemory`): a burst (the web UI loading a view runs several queries)
/// reuses it, and afterwards the idle server is small again.
struct FreedMemoryService: Service {
    var quietPeriod: Duration = .seconds(10)

    func run() async throws {
        await cancelWhenGracefulShutdown { await HeapMemory.releaseWhenQuiet(after: quietPeriod) }
    }
}
