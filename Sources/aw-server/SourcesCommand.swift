import AWCore
import AWWatcherKit
import ArgumentParser
import Foundation

/// `aw-server sources`: which source each watcher module would use on this desktop session,
/// and why, without starting anything.
struct SourcesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "Show where each watcher module would read from on this desktop session, and why.",
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
        let modules: [(name: String, module: any ConfiguredModule, isolate: Bool)]
        do {
            modules = try AWServerCommand.loadConfiguration(path: config, testing: testing, directories: Directories())
                .watcherModules(testing: testing)
        } catch {
            throw AWServerCommand.fatal("\(error)")
        }
        let reports = modules.map { (enabled: $0.module.isEnabled, report: $0.module.sourceReport()) }
        let unsupported = reports.contains { $0.enabled && $0.report.source == nil }
        if json {
            let list = reports.map { entry -> JSON in
                guard case .object(var fields) = entry.report.json else { return entry.report.json }
                fields["enabled"] = .bool(entry.enabled)
                return .object(fields)
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
