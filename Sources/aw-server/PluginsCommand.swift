import AWCore
import AWPluginHost
import AWWatcherKit
import ArgumentParser
import Foundation

/// `aw-server plugins`: every plugin file found, its modules, and why anything is not used.
struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the plugin files found, their watcher modules, and why any is not used.",
        discussion: """
            Plugins are shared libraries with watcher modules (the window and AFK watchers are one). \
            They are looked for in the folders of [plugins] path in config.toml, then in \
            $XDG_DATA_HOME/activitywatch/aw-server-swift/plugins, then in lib/aw-server-swift/plugins \
            beside aw-server (and files named libaw-plugin-*.so beside it). A module runs when its \
            [watchers.<name>] section enables it (or by the plugin's default). Exit status 1 when a \
            file or a module cannot be used.
            """
    )

    @Flag(help: "Use config-testing.toml.")
    var testing = false

    @Option(name: [.customShort("c"), .long], help: "The config file to use.")
    var config: String?

    @Flag(help: "Print JSON: a list of {path, abi_version, problem, modules: [{name, enabled, problem}]}.")
    var json = false

    func run() throws {
        let configuration: AWServerCommand.Configuration
        do {
            configuration = try AWServerCommand.loadConfiguration(
                path: config, testing: testing, directories: Directories())
        } catch {
            throw AWServerCommand.fatal("\(error)")
        }
        let listing = configuration.plugins.files.map { file in
            (file: file, modules: file.modules.map { module in status(of: module, in: configuration) })
        }
        if json {
            let list = listing.map { entry -> JSON in
                .object([
                    "path": .string(entry.file.path),
                    "abi_version": entry.file.abiVersion.map { .int(Int64($0)) } ?? .null,
                    "problem": entry.file.problem.map(JSON.string) ?? .null,
                    "modules": .array(
                        entry.modules.map {
                            .object([
                                "name": .string($0.name), "enabled": .bool($0.enabled),
                                "problem": $0.problem.map(JSON.string) ?? .null,
                            ])
                        }),
                ])
            }
            print(JSON.array(list).serialized())
        } else if listing.isEmpty {
            print("No plugin files found; `aw-server plugins --help` says where they are looked for.")
        } else {
            for entry in listing {
                let version = entry.file.abiVersion.map { " (ABI \($0))" } ?? ""
                print("\(entry.file.path)\(version)")
                if let problem = entry.file.problem { print("    not loaded: \(problem)") }
                for module in entry.modules {
                    let state = module.problem ?? (module.enabled ? "enabled" : "disabled")
                    print("    \(module.name): \(state)")
                }
            }
        }
        let failing = listing.contains { $0.file.problem != nil || $0.modules.contains { $0.problem != nil } }
        if failing { throw ExitCode.failure }
    }

    /// A module's line: whether its section enables it, or why it is not used (including a
    /// configuration its plugin refuses).
    private func status(of module: PluginCatalog.File.Module, in configuration: AWServerCommand.Configuration)
        -> (name: String, enabled: Bool, problem: String?)
    {
        if let problem = module.problem { return (module.name, false, problem) }
        guard let descriptor = configuration.plugins.modules.first(where: { $0.name == module.name }) else {
            return (module.name, false, "not used")
        }
        do {
            let configured = try descriptor.configure(
                configuration.file.section("watchers.\(module.name)"), testing: testing)
            return (module.name, configured.isEnabled, nil)
        } catch {
            return (module.name, false, "\(error)")
        }
    }
}
