import AWClient
import AWCore
import AWWatcherKit
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

/// `aw-server watch window|afk`: one built-in watcher on its own, reporting over HTTP to any
/// ActivityWatch server (this one on another port, aw-server-rust, the Python aw-server).
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Run one built-in watcher on its own, reporting to a server over HTTP.",
        discussion: """
            The watcher reads its settings from the [watchers.<name>] section of aw-server's \
            config.toml and its server from aw-client.toml (as every ActivityWatch watcher does), \
            unless --host/--port say otherwise. Heartbeats wait in a queue on disk while the server \
            is away and are sent when it returns. Stop it with Ctrl-C or SIGTERM.
            """
    )

    @Argument(help: "The watcher to run: \(AWServerCommand.modules.map { $0.name }.joined(separator: " or ")).")
    var watcher: String

    @Flag(help: "Testing mode: report to the testing server (port 5666) and use config-testing.toml.")
    var testing = false

    @Option(help: "The server's host (default from aw-client.toml, else 127.0.0.1).")
    var host: String?

    @Option(help: "The server's port (default from aw-client.toml, else 5600, or 5666 with --testing).")
    var port: Int?

    @Option(name: [.customShort("c"), .long], help: "aw-server's config file to read the watcher's settings from.")
    var config: String?

    @Flag(help: "Log debug messages.")
    var verbose = false

    func validate() throws {
        guard AWServerCommand.modules.contains(where: { $0.name == watcher }) else {
            throw ValidationError(
                "unknown watcher '\(watcher)'; the built-in watchers are \(AWServerCommand.modules.map { $0.name }.joined(separator: ", "))"
            )
        }
        if let port, !(1...65535).contains(port) { throw ValidationError("--port \(port) is not a TCP port") }
    }

    /// Runs the watcher until SIGTERM or SIGINT, then sends what is pending (within 5 s; the rest
    /// stays queued on disk for the next start).
    func run() async throws {
        let directories = Directories()
        let moduleType = AWServerCommand.modules.first { $0.name == watcher }!
        let module: any WatcherModule
        let clientConfiguration: ClientConfiguration
        do {
            let file = try AWServerCommand.loadConfigFile(path: config, testing: testing, directories: directories)
            module = try moduleType.init(configuration: file.section("watchers.\(watcher)"), testing: testing)
            clientConfiguration = try ClientConfiguration.load(
                testing: testing, host: host, port: port, directories: directories)
        } catch {
            throw AWServerCommand.fatal("\(error)")
        }

        let name = "aw-watcher-\(watcher)"
        _ = LoggingSetup(module: name, testing: testing, verbose: verbose, directories: directories).bootstrap()
        let logger = Logger(label: name)
        let client = try ActivityWatchClient(
            clientName: name, testing: testing, configuration: clientConfiguration, directories: directories,
            logger: logger)
        do {
            try client.connect()
        } catch {
            throw AWServerCommand.fatal("\(error)")
        }
        logger.info("\(name) reporting to \(client.serverURL)")
        let context = WatcherContext(
            client: RemoteWatcherClient(client: client), logger: logger, hostname: client.clientHostname,
            testing: testing)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: module.makeService(context: context))],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            logger.error("stopped: \(error)")
        }
        await client.disconnect(timeout: .seconds(5))
    }
}
