import AWCore
import AWDatastore
import AWHost
import AWPluginHost
import AWServer
import AWWatcherKit
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

/// `aw-server`: the ActivityWatch-compatible time tracker (entry point in main.swift). With no
/// subcommand it serves (`ServeCommand`).
struct AWServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aw-server",
        abstract:
            "An ActivityWatch-compatible time tracker: records the active window and AFK time and serves /api/0 on http://127.0.0.1:5600.",
        discussion: """
            Settings come from config.toml in $XDG_CONFIG_HOME/activitywatch/aw-server-swift/ (written, \
            fully commented out, on first run); flags override them. Stop it with Ctrl-C or SIGTERM: \
            pending heartbeats are written before it exits. `aw-server` takes the options of \
            `serve`, listed below, e.g. `aw-server --testing --port 5601`.
            """,
        version: ServerInfo.currentVersion,
        subcommands: [
            ServeCommand.self, WatchCommand.self, SourcesCommand.self, PluginsCommand.self, ImportLegacyCommand.self,
            MigrateCommand.self, AutostartCommand.self, GnomeExtensionCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )

    /// The root command's help followed by the options of `serve`, the default command, when
    /// `arguments` ask for the root's help (`--help`, `-h`, `help`); otherwise `nil`.
    static func helpWithServeOptions(for arguments: [String]) -> String? {
        guard arguments.count == 1, ["--help", "-h", "help"].contains(arguments[0]) else { return nil }
        let serve = ServeCommand.helpMessage()
        guard let options = serve.range(of: "OPTIONS:\n") else { return helpMessage() }
        let lines = serve[options.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("  -h, --help") }
        return helpMessage() + "\n\nOPTIONS OF serve (what `aw-server [options]` runs):\n"
            + lines.joined(separator: "\n")
    }

    /// The module name used for directories and log files.
    static let moduleName = "aw-server-swift"

    /// The configuration file and the plugins it makes available.
    struct Configuration {
        /// config.toml (or config-testing.toml, or the file given).
        var file: ConfigFile
        /// The plugin files found in the plugin folders, and their modules.
        var plugins: PluginCatalog

        /// Every module the plugins provide, made from its `[watchers.<name>]` section, in the
        /// order they start, and whether it runs isolated (`isolate = true`: in a process of its
        /// own, `aw-server watch <name>`, under the module supervisor).
        func watcherModules(testing: Bool) throws -> [(name: String, module: any ConfiguredModule, isolate: Bool)] {
            try plugins.modules.map {
                let section = try file.section("watchers.\($0.name)")
                return (
                    name: $0.name, module: try $0.configure(section, testing: testing),
                    isolate: try section.bool("isolate") ?? false
                )
            }
        }
    }

    /// The commented-out `[plugins]` part of a new config.toml.
    static let pluginsDefaultConfiguration = """
        [plugins]
        # Watcher modules load from shared libraries (`aw-server plugins` lists them): first from
        # these folders, then from ~/.local/share/activitywatch/aw-server-swift/plugins and from
        # lib/aw-server-swift/plugins beside aw-server. Each module is enabled and set up in its
        # own [watchers.<name>] section.
        #path = ["~/my-plugins"]

        """

    /// Loads `config.toml` (or `config-testing.toml`, or `path`) and the plugins it makes
    /// available, writing the file fully commented out when it does not exist yet (with every
    /// plugin's part, so plugins are loaded then even without `loadingPlugins`).
    static func loadConfiguration(path: String?, testing: Bool, directories: Directories, loadingPlugins: Bool = true)
        throws -> Configuration
    {
        let path =
            path
            ?? "\(directories.configDirectory(module: moduleName))/\(testing ? "config-testing.toml" : "config.toml")"
        let base = (path as NSString).deletingLastPathComponent
        if FileManager.default.fileExists(atPath: path) {
            let file = try ConfigFile.load(path: path, defaultContents: "")
            let configured = try file.section("plugins").strings("path") ?? []
            let folders = PluginCatalog.standardFolders(configured: configured, base: base, directories: directories)
            return Configuration(file: file, plugins: PluginCatalog(folders: loadingPlugins ? folders : []))
        }
        let plugins = PluginCatalog(
            folders: PluginCatalog.standardFolders(configured: [], base: base, directories: directories))
        let defaults =
            ([ServerConfiguration.defaultConfigFileContents(testing: testing)]
            + plugins.modules.map { $0.defaultConfiguration(testing: testing) }
            + [pluginsDefaultConfiguration, ExternalModulesConfiguration.defaultFileContents]).joined(separator: "\n")
        return Configuration(file: try ConfigFile.load(path: path, defaultContents: defaults), plugins: plugins)
    }

    /// The database file: `dbpath` if given, else `sqlite.db` (`sqlite-testing.db`) in the data
    /// directory.
    static func databasePath(_ dbpath: String?, testing: Bool, directories: Directories) -> String {
        dbpath
            ?? "\(directories.dataDirectory(module: moduleName))/\(testing ? "sqlite-testing.db" : "sqlite.db")"
    }

    /// Prints `message` to stderr and returns the failure exit code to throw.
    static func fatal(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("aw-server: \(message)\n".utf8))
        return ExitCode.failure
    }
}

/// `aw-server [serve]`: the server with the watcher modules of its plugins and the external modules.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the server with the watcher modules of its plugins and the external modules (the default)."
    )

    @Flag(help: "Testing mode: port 5666, sqlite-testing.db and config-testing.toml.")
    var testing = false

    @Option(help: "The address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(help: "The TCP port (default 5600, or 5666 with --testing).")
    var port: Int?

    @Option(help: "The SQLite database file to use.")
    var dbpath: String?

    @Option(
        name: .customLong("postgres"),
        help: "Keep the data in this PostgreSQL database (postgres://user:password@host/db) instead of SQLite.")
    var postgresURL: String?

    @Option(name: [.customShort("c"), .long], help: "The config file to use.")
    var config: String?

    @Flag(help: "Log debug messages.")
    var verbose = false

    @Flag(help: "Run the server only, without the watcher modules of the plugins.")
    var noWatchers = false

    @Flag(help: "Do not import aw-server-rust's or the Python aw-server's database on the first start.")
    var noLegacyImport = false

    @Option(
        help: "Serve this directory (e.g. a build of the official aw-webui) at / instead of the built-in dashboard.")
    var webpath: String?

    /// Runs the server until SIGTERM or SIGINT.
    func serve() async throws {
        let directories = Directories()
        var serverConfiguration: ServerConfiguration
        var watchers: [(name: String, module: any ConfiguredModule, isolate: Bool)] = []
        var externalModules = ExternalModulesConfiguration()
        let plugins: PluginCatalog
        let configPath: String
        do {
            // A server without watchers loads no plugin (nor the desktop libraries they link).
            let configuration = try AWServerCommand.loadConfiguration(
                path: config, testing: testing, directories: directories, loadingPlugins: !noWatchers)
            let file = configuration.file
            configPath = file.path
            plugins = configuration.plugins
            serverConfiguration = try ServerConfiguration(file: file, testing: testing)
            watchers = try configuration.watcherModules(testing: testing)
            externalModules = try ExternalModulesConfiguration(section: file.section("modules"))
        } catch {
            throw AWServerCommand.fatal("\(error)")
        }
        if let host { serverConfiguration.address = host }
        if let postgresURL { serverConfiguration.postgresURL = postgresURL }
        if let port {
            guard (0...65535).contains(port) else { throw ValidationError("--port \(port) is not a TCP port") }
            serverConfiguration.port = port
        }
        if let webpath {
            if let problem = WebUISource.problem(withDirectory: webpath) { throw AWServerCommand.fatal(problem) }
            serverConfiguration.webUI = .directory(webpath)
        }
        if let refusal = serverConfiguration.refusalToServe { throw AWServerCommand.fatal(refusal) }

        let recentLogRecords = RecentLogRecords(capacity: 2000)
        LoggingSetup(
            module: AWServerCommand.moduleName, testing: testing, verbose: verbose,
            logToJSONFile: serverConfiguration.jsonLogFile,
            directories: directories
        ).bootstrap(recent: recentLogRecords)
        let logger = Logger(label: AWServerCommand.moduleName)
        for problem in plugins.problems { logger.warning("\(problem)") }
        if plugins.modules.isEmpty && !noWatchers {
            logger.warning(
                "no watcher modules: no plugin was found in \(plugins.folders.map(\.path).joined(separator: ", ")); the window and AFK watchers come in libaw-plugin-desktop.so (see 'aw-server plugins --help')"
            )
        }

        let dataDirectory = directories.dataDirectory(module: AWServerCommand.moduleName)
        let storeLogger = Logger(label: "\(AWServerCommand.moduleName).datastore")
        let datastore: any EventStore
        let deviceID: String
        do {
            deviceID = try ServerInfo.deviceID(dataDirectory: dataDirectory)
            if let url = serverConfiguration.postgresURL {
                datastore = try await PostgresSupport.open(url, timeout: .seconds(5), logger: storeLogger)
            } else {
                let databasePath = AWServerCommand.databasePath(dbpath, testing: testing, directories: directories)
                let sqlite = try Datastore(path: databasePath, logger: storeLogger)
                if sqlite.isNew && serverConfiguration.legacyImport && !noLegacyImport {
                    await importLegacyDatabases(into: sqlite, directories: directories, logger: logger)
                }
                datastore = sqlite
            }
        } catch {
            logger.critical("\(error)")
            throw ExitCode.failure
        }
        let api = ServerAPI(
            datastore: datastore,
            info: ServerInfo(hostname: Hostname.local, testing: testing, deviceID: deviceID),
            recentLogRecords: recentLogRecords,
            queryLimits: serverConfiguration.queryLimits,
            logger: logger
        )
        if datastore.isNew {
            // After the first-start import, so that categories brought from another server win.
            do {
                try await api.storeDefaultSettings()
            } catch {
                logger.warning("cannot store the default settings: \(error)")
            }
        }
        let address = "\(serverConfiguration.address):\(serverConfiguration.port)"
        let host = serverConfiguration.address
        let application = ServerApplication.make(api: api, configuration: serverConfiguration, logger: logger) { port in
            logger.info(
                "aw-server-swift \(ServerInfo.currentVersion) listening on http://\(host):\(port) (database \(datastore.location))"
            )
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: DatastoreService(datastore: datastore, logger: logger)),
            .init(service: application, successTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: StartupPagesService(logger: logger), successTerminationBehavior: .ignore),
            .init(service: FreedMemoryService(), successTerminationBehavior: .ignore),
        ]
        var isolated: [ExternalModule] = []
        if !noWatchers {
            let client = LocalClient(api: api)
            for (name, watcher, isolate) in watchers where watcher.isEnabled {
                if isolate {
                    isolated.append(isolatedModule(name, configPath: configPath, configuration: serverConfiguration))
                    logger.info("the \(name) watcher runs isolated, in a process of its own")
                    continue
                }
                let context = WatcherContext(
                    client: client, logger: Logger(label: "\(AWServerCommand.moduleName).watcher.\(name)"),
                    hostname: api.info.hostname,
                    testing: testing)
                services.append(
                    .init(
                        service: watcher.makeService(context: context), successTerminationBehavior: .ignore,
                        failureTerminationBehavior: .ignore))
                logger.info("starting the \(name) watcher")
            }
        }
        externalModules.autostart.insert(contentsOf: isolated, at: 0)
        if !externalModules.autostart.isEmpty || externalModules.discover {
            // A plugin's watcher and its external namesake would record the same bucket.
            let builtIns = noWatchers ? [] : watchers.filter(\.module.isEnabled).map { "aw-watcher-\($0.name)" }
            let supervisor = ModuleSupervisor(
                configuration: externalModules, replacedByBuiltIns: Set(builtIns), port: serverConfiguration.port,
                defaultPort: ServerConfiguration(testing: testing).port, testing: testing, directories: directories,
                logger: Logger(label: "\(AWServerCommand.moduleName).modules"))
            services.append(
                .init(service: supervisor, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        do {
            try await group.run()
        } catch {
            let text = "\(error)"
            if text.contains("Address already in use") {
                logger.critical(
                    "cannot listen on \(address): the address is already in use (is another aw-server running?)")
            } else if text.contains("bind") || text.contains("Cannot assign requested address") {
                logger.critical("cannot listen on \(address): \(error)")
            } else {
                logger.critical("stopped: \(error)")
            }
            try? await datastore.close()
            throw ExitCode.failure
        }
    }

    /// The external module that runs the plugin module `name` in a process of its own:
    /// `aw-server watch <name>`, reporting to this server over HTTP through the durable queue.
    func isolatedModule(_ name: String, configPath: String, configuration: ServerConfiguration) -> ExternalModule {
        let address = ["0.0.0.0", "::", ""].contains(configuration.address) ? "127.0.0.1" : configuration.address
        var arguments = [
            "watch", name, "--host", address, "--port", String(configuration.port), "--config", configPath,
        ]
        if testing { arguments.append("--testing") }
        if verbose { arguments.append("--verbose") }
        return ExternalModule(
            name: PluginCatalog.currentExecutable ?? CommandLine.arguments[0], arguments: arguments,
            label: "aw-watcher-\(name)")
    }

    /// Imports the ActivityWatch databases found in their default places; a database that cannot
    /// be read is logged and skipped, the server starts either way.
    func importLegacyDatabases(into datastore: Datastore, directories: Directories, logger: Logger) async {
        for path in ImportLegacyCommand.defaultSources(testing: testing, directories: directories)
        where FileManager.default.fileExists(atPath: path) {
            do {
                let legacy = try LegacyDatabase(path: path)
                logger.info("first start: importing \(legacy.kind) \(path)")
                let summary = try await datastore.importLegacy(
                    legacy, defaults: ["classes": ServerAPI.defaultCategories])
                logger.info(
                    "imported \(summary.buckets.count) buckets, \(summary.eventsInserted) events and \(summary.settingsImported) settings from \(path)"
                )
                for line in summary.renameLines { logger.info("\(line)") }
            } catch {
                logger.warning(
                    "your earlier ActivityWatch history was not imported: \(error); stop aw-server and run 'aw-server import-legacy' to import it"
                )
                try? await datastore.setLegacyImportProblem("\(error)")
            }
        }
    }
}
