import AWCore
import AWServer
import ArgumentParser
import Foundation

// One malloc heap for all threads, keeping what large requests free for the next ones until
// FreedMemoryService hands it back to the system once they stop. Before any other thread starts.
HeapMemory.keepFreedMemoryUntilQuiet()

// Run Swift concurrency on NIO's event loops: request handling then stays on the thread that
// read the request instead of hopping to another pool and back (fewer context switches,
// lower latency). This must happen before any other async code runs.
EventLoopsAsGlobalExecutor.install()

// What aw-server writes (the activity database, logs, config, the device id) is for this user
// only: new files are created 0600 and new folders 0700, whatever the session's umask.
umask(0o077)

do {
    // `aw-server --help` shows the options of `serve` too, since `aw-server` alone serves.
    if let help = AWServerCommand.helpWithServeOptions(for: Array(CommandLine.arguments.dropFirst())) {
        print(help)
        exit(0)
    }
    var command = try AWServerCommand.parseAsRoot()
    if let server = command as? ServeCommand {
        try await server.serve()
    } else if let watcher = command as? WatchCommand {
        try await watcher.run()
    } else if let importer = command as? ImportLegacyCommand {
        try await importer.run()
    } else if let migration = command as? MigrateCommand {
        try await migration.run()
    } else {
        try command.run()
    }
} catch let error as AutostartError {
    FileHandle.standardError.write(Data("aw-server: \(error)\n".utf8))
    exit(1)
} catch {
    AWServerCommand.exit(withError: error)
}
