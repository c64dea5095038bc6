import AWWatcherRunner
import ArgumentParser

/// `aw-server watch <module>`: one built-in watcher on its own, reporting over HTTP to any
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

    @Argument(help: "The watcher to run: \(AWServerCommand.modules.map { $0.name }.joined(separator: ", ")).")
    var watcher: String

    @OptionGroup var options: WatcherOptions

    func validate() throws {
        guard AWServerCommand.modules.contains(where: { $0.name == watcher }) else {
            throw ValidationError(
                "unknown watcher '\(watcher)'; the built-in watchers are \(AWServerCommand.modules.map { $0.name }.joined(separator: ", "))"
            )
        }
    }

    func run() async throws {
        do {
            try await WatcherRunner.run(AWServerCommand.modules.first { $0.name == watcher }!, options: options)
        } catch {
            throw AWServerCommand.fatal("\(error)")
        }
    }
}
