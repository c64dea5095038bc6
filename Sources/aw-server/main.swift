import ArgumentParser
import NIOCore
import NIOPosix

// Run Swift concurrency on NIO's event loops: request handling then stays on the thread that
// read the request instead of hopping to another pool and back (fewer context switches,
// lower latency). This must happen before any other async code runs.
_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

do {
    let command = try AWServerCommand.parse()
    try await command.serve()
} catch {
    AWServerCommand.exit(withError: error)
}
