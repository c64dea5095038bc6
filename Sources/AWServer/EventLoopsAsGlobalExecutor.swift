import CSwiftConcurrencyHook
import NIOCore
import NIOPosix

/// Swift concurrency's jobs run on SwiftNIO's event loops instead of a separate thread pool, so a
/// request is read, handled and answered on one thread with no hand-over between threads.
public enum EventLoopsAsGlobalExecutor {
    /// Makes `MultiThreadedEventLoopGroup.singleton` Swift concurrency's global executor. Call it
    /// once, first thing in `main`.
    ///
    /// SwiftNIO's own `unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor`
    /// finds the runtime's hook with `dlsym`, which fails where the Swift runtime is linked in
    /// statically (release builds): there the hook is set directly, with the same effect.
    ///
    /// - Returns: Whether the event loops run the jobs now.
    @discardableResult
    public static func install() -> Bool {
        if NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() { return true }
        return aw_install_global_job_sink { job in
            // The event loop the caller runs on, if it is one of the group's: no thread switch.
            let loop = MultiThreadedEventLoopGroup.singleton.any()
            loop.executor.enqueue(ExecutorJob(unsafeBitCast(job!, to: UnownedJob.self)))
        } != 0
    }
}
