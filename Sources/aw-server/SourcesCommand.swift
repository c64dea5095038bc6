import AWCore
import AWWatcherKit
import ArgumentParser
import Foundation

/// `aw-server sources`: which source each built-in watcher would use on this desktop session,
/// and why, without starting anything.
struct SourcesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "Show where each built-in watcher would read from on this desktop session, and why.",
        discussion: """
            The window and AFK watchers choose a source when they start: an X server in an X11 \
            session; in a Wayland session the compositor's protocols (wlr-foreign-toplevel for the \
            active window on wlroots compositors; ext-idle-notify or org_kde_kwin_idle for the idle \
            time). This command makes the same choice from the same evidence (WAYLAND_DISPLAY, \
            XDG_SESSION_TYPE, XDG_CURRENT_DESKTOP, DISPLAY, the globals the compositor advertises) \
            and prints it with the reason each other source was not taken. Exit status 1 when an \
            enabled watcher has no source here.
            """
    )

    /// Where the list of desktops and what works on each is documented.
    static let documentation = "the section 'Desktops' of docs/watchers.md in aw-server-swift's documentation"

    @Flag(help: "Use config-testing.toml.")
    var testing = false

    @Option(name: [.customShort("c"), .long], help: "The config file to use.")
    var config: String?

    @Flag(help: "Print JSON: a list of {module, enabled, source, reason, not_taken}.")
    var json = false

    func run() throws {
        let modules: [any WatcherModule]
        do {
            let file = try AWServerCommand.loadConfigFile(path: config, testing: testing, directories: Directories())
            modules = try AWServerCommand.watcherModules(from: file, testing: testing)
        } catch {
            throw AWServerCommand.fatal("\(error)")
        }
        let reports = modules.map { (enabled: $0.isEnabled, report: $0.sourceReport()) }
        let unsupported = reports.contains { $0.enabled && $0.report.source == nil }
        if json {
            let list = reports.map { entry -> JSON in
                .object([
                    "module": .string(entry.report.module), "enabled": .bool(entry.enabled),
                    "source": entry.report.source.map(JSON.string) ?? .null, "reason": .string(entry.report.reason),
                    "not_taken": .array(
                        entry.report.notTaken.map {
                            .object(["source": .string($0.source), "reason": .string($0.reason)])
                        }),
                ])
            }
            print(JSON.array(list).serialized())
        } else {
            for (enabled, report) in reports {
                let state = enabled ? "" : " (disabled in the configuration)"
                print("\(report.module)\(state): \(report.source ?? "no source on this session")")
                print("    \(report.reason)")
                for alternative in report.notTaken {
                    print("    not \(alternative.source): \(alternative.reason)")
                }
            }
            if unsupported {
                print("\nThis desktop is not supported by every watcher; see \(Self.documentation)")
            }
        }
        if unsupported { throw ExitCode.failure }
    }
}
