import AWCore
import AWWatcherRunner
import ArgumentParser

/// `aw-server watch <module>`: one watcher module of the plugins on its own, reporting over HTTP
/// to any ActivityWatch server (this one on another port, aw-server-rust, the Python aw-server).
/// A module set to `isolate = true` runs this way under the server.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Run one watcher module on its own, reporting to a server over HTTP.",
        discussion: """
            The watcher reads its settings from the [watchers.<name>] section of aw-server's \
            config.toml and its server from aw-client.toml (as every ActivityWatch watcher does), \
            unless --host/--port say otherwise. Heartbeats wait in a queue on disk while the server \
            is away and are sent when it returns. Stop it with Ctrl-C or SIGTERM. \
            `aw-server plugins` lists the modules there are.
            """
    )

    @Argument(help: "The watcher module to run, e.g. window or afk.")
    var watcher: String

    @OptionGroup var options: WatcherOptions

    func run() async throws {
        let configuration: AWServerCommand.Configuration
        do {
            configuration = try AWServerCommand.loadConfiguration(
                path: options.config, testing: options.testing, directories: Directories())
        } catch {
            throw AWServerCommand.fatal("\(error)")
        }
        guard let module = configuration.plugins.modules.first(where: { $0.name == watcher }) else {
            let names = configuration.plugins.modules.map(\.name)
            let known =
                names.isEmpty ? "no plugin provides any" : "the plugins provide \(names.joined(separator: ", "))"
            throw AWServerCommand.fatal(
                "unknown watcher '\(watcher)': \(known) ('aw-server plugins' lists the plugin files and their problems)"
            )
        }
        do {
            try await WatcherRunner.run(module, options: options)
        } catch {
            throw AWServerCommand.fatal("\(error)")
        }
    }
}
