import AWClient
import AWCore
import AWWatcherKit
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

/// The command line of a watcher module run as a process of its own.
public struct WatcherOptions: ParsableArguments {
    @Flag(help: "Testing mode: report to the testing server (port 5666) and read config-testing.toml.")
    public var testing = false

    @Option(help: "The server's host (default from aw-client.toml, else 127.0.0.1).")
    public var host: String?

    @Option(help: "The server's port (default from aw-client.toml, else 5600, or 5666 with --testing).")
    public var port: Int?

    @Option(
        name: [.customShort("c"), .long],
        help: "The config file whose [watchers.<name>] section holds the settings (default: aw-server's config.toml).")
    public var config: String?

    @Option(help: "Seconds between samples, instead of the section's poll_time.")
    public var pollTime: Double?

    @Flag(help: "Log debug messages.")
    public var verbose = false

    public init() {}

    public func validate() throws {
        if let port, !(1...65535).contains(port) { throw ValidationError("--port \(port) is not a TCP port") }
        if let pollTime, pollTime <= 0 { throw ValidationError("--poll-time must be above 0") }
    }
}

/// Runs a watcher module as a process of its own, reporting over HTTP to any ActivityWatch
/// server, as the Python watchers do: the module reads its settings from the `[watchers.<name>]`
/// section of aw-server's config.toml (or `--config`), the server comes from aw-client.toml (or
/// `--host`/`--port`), heartbeats wait in a queue on disk while the server is away, and SIGTERM or
/// SIGINT stop it after sending what is pending.
///
/// A stand-alone watcher's whole `main.swift`:
///
/// ```swift
/// await WatcherRunner.main(LoadWatcher.self)
/// ```
public enum WatcherRunner {
    /// Reads the command line, runs `module` until it is stopped, and exits: 0 after a stop, 1
    /// with one line on standard error when it cannot start.
    public static func main(_ module: any WatcherModule.Type) async -> Never {
        let options = WatcherOptions.parseOrExit()
        do {
            try await run(ModuleDescriptor(module), options: options)
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("aw-watcher-\(module.name): \(error)\n".utf8))
            exit(1)
        }
    }

    /// Runs the module `descriptor` describes until SIGTERM or SIGINT, then sends what is pending
    /// (within 5 s; the rest stays queued on disk for the next start).
    ///
    /// - Throws: `ConfigError` for bad settings, `ClientError` when the queue cannot be opened.
    public static func run(
        _ descriptor: ModuleDescriptor, options: WatcherOptions, directories: Directories = Directories()
    ) async throws {
        let name = "aw-watcher-\(descriptor.name)"
        let module = try descriptor.configure(
            try section(of: descriptor.name, options: options, directories: directories), testing: options.testing)
        let clientConfiguration = try ClientConfiguration.load(
            testing: options.testing, host: options.host, port: options.port, serverConfig: options.config,
            directories: directories)
        _ = LoggingSetup(module: name, testing: options.testing, verbose: options.verbose, directories: directories)
            .bootstrap()
        let logger = Logger(label: name)
        let client = try ActivityWatchClient(
            clientName: name, testing: options.testing, configuration: clientConfiguration, directories: directories,
            logger: logger)
        try client.connect()
        logger.info("\(name) reporting to \(client.serverURL)")
        let context = WatcherContext(
            client: RemoteWatcherClient(client: client), logger: logger, hostname: client.clientHostname,
            testing: options.testing)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: module.makeService(context: context))],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            logger.error("stopped: \(error)")
        }
        await client.disconnect(timeout: .seconds(5))
    }

    /// The module's `[watchers.<name>]` section, from `--config` or aw-server's config.toml when
    /// there is one (empty otherwise), with `--poll-time` applied.
    static func section(of moduleName: String, options: WatcherOptions, directories: Directories)
        throws(ConfigError) -> ConfigSection
    {
        let path =
            options.config
            ?? "\(directories.configDirectory(module: "aw-server-swift"))/\(options.testing ? "config-testing.toml" : "config.toml")"
        var file: ConfigFile
        if options.config != nil || FileManager.default.fileExists(atPath: path) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigError(path: path, reason: "cannot be read")
            }
            file = try ConfigFile(path: path, text: text)
        } else {
            file = try ConfigFile(path: path, text: "")
        }
        if let pollTime = options.pollTime {
            var watchers = file.values["watchers"]?.objectValue ?? [:]
            var section = watchers[moduleName]?.objectValue ?? [:]
            section["poll_time"] = .double(pollTime)
            watchers[moduleName] = .object(section)
            file.values["watchers"] = .object(watchers)
        }
        return try file.section("watchers.\(moduleName)")
    }
}
