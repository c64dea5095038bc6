import AWCore
import AWGnomeShell
import AWGnomeShellTools
import ArgumentParser
import Foundation

/// `aw-server gnome-extension install|status|uninstall`: the GNOME Shell extension through which
/// the window watcher sees the active window on GNOME (Wayland).
struct GnomeExtensionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gnome-extension",
        abstract: "Install, check or remove the GNOME Shell extension the window watcher needs on GNOME (Wayland).",
        discussion: """
            GNOME Shell tells no program which window has the focus; this extension runs inside the \
            shell and tells aw-server over the session bus. It is installed for the current user \
            (\(GnomeShellExtension.uuid) under ~/.local/share/gnome-shell/extensions) and enabled \
            in the user's settings; GNOME Shell on Wayland loads it at the next login.
            """,
        subcommands: [Install.self, Status.self, Uninstall.self]
    )

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install the extension for the current user and enable it.")

        @Option(help: "The GNOME Shell version to install for (default: the running or installed shell's).")
        var shellVersion: Int?

        @Flag(help: "Add the shell's version to the versions the extension lists, when it is newer than they are.")
        var listVersion = false

        @Option(
            help: ArgumentHelp(
                "Only write the extension's files into this folder, leaving every setting alone (for a copy for all users, e.g. /usr/share/gnome-shell/extensions/\(GnomeShellExtension.uuid)).",
                valueName: "folder"))
        var filesInto: String?

        func run() throws {
            let tools = GnomeShellTools()
            guard let major = shellVersion ?? tools.shellVersion()?.major else {
                throw GnomeExtensionError(
                    "cannot tell the GNOME Shell version: gnome-shell is not installed here and none answers on the session bus; name it with --shell-version"
                )
            }
            let listed = GnomeShellExtension.listedVersions
            if !listed.contains(major) && !listVersion
                && !((try? tools.flag("disable-extension-version-validation")) ?? false)
            {
                throw GnomeExtensionError(
                    """
                    GNOME Shell \(major) is not among the versions the extension lists (\(listed.map(String.init).joined(separator: ", "))), \
                    so GNOME would refuse to run it; `aw-server gnome-extension install --list-version` adds \(major) to its list \
                    (the extension uses only long-standing shell interfaces, but is not tested on \(major))
                    """)
            }
            let folder = filesInto ?? GnomeShellExtension.userFolder()
            do {
                try GnomeShellExtension.write(into: folder, forShell: major, listing: listVersion)
            } catch {
                throw GnomeExtensionError("cannot write \(folder): \(fileErrorReason(error))")
            }
            let kind = major >= GnomeShellExtension.firstModuleVersion ? "GNOME 45 and later" : "GNOME 43 and 44"
            print("installed \(folder) (the entry point for \(kind))")
            if filesInto != nil { return }
            do {
                var enabled = try tools.stringList("enabled-extensions")
                if !enabled.contains(GnomeShellExtension.uuid) {
                    enabled.append(GnomeShellExtension.uuid)
                    try tools.setStringList("enabled-extensions", enabled)
                }
                let disabled = try tools.stringList("disabled-extensions")
                if disabled.contains(GnomeShellExtension.uuid) {
                    try tools.setStringList("disabled-extensions", disabled.filter { $0 != GnomeShellExtension.uuid })
                }
                print("enabled it in your settings (org.gnome.shell enabled-extensions)")
                if try tools.flag("disable-user-extensions") {
                    print(
                        "warning: your settings turn all user extensions off; turn them on in the Extensions app or with: gsettings set org.gnome.shell disable-user-extensions false"
                    )
                }
            } catch {
                print(
                    "could not enable it in your settings (\(error)); after your next login run: gnome-extensions enable \(GnomeShellExtension.uuid)"
                )
            }
            // A shell that found the extension at login (an update, or it was disabled) can start it now.
            if let info = tools.extensionInfo(GnomeShellExtension.uuid), info.state != 0, info.state != 1 {
                _ = tools.enableInShell(GnomeShellExtension.uuid)
            }
            if tools.extensionAnswers() != nil {
                print("the extension runs now; aw-server records the active window (check: aw-server sources)")
            } else {
                print(
                    "GNOME Shell on Wayland loads new extensions at login: log out and back in, then check with: aw-server gnome-extension status"
                )
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say whether the extension is installed, enabled, loaded by GNOME Shell and answering.",
            discussion: "Exits with status 0 when the extension answers on the session bus, 1 otherwise.")

        func run() throws {
            let tools = GnomeShellTools()
            let uuid = GnomeShellExtension.uuid
            if let folder = GnomeShellExtension.installedFolder() {
                print("installed: \(folder)")
            } else {
                print("installed: no (install it with: aw-server gnome-extension install)")
            }
            if let enabled = try? tools.stringList("enabled-extensions") {
                print("enabled in your settings: \(enabled.contains(uuid) ? "yes" : "no")")
                if (try? tools.flag("disable-user-extensions")) == true {
                    print("  but your settings turn all user extensions off (org.gnome.shell disable-user-extensions)")
                }
            } else {
                print("enabled in your settings: unknown (gsettings cannot read org.gnome.shell)")
            }
            guard let info = tools.extensionInfo(uuid) else {
                print(
                    "GNOME Shell: not on the session bus (is this a GNOME session? DBUS_SESSION_BUS_ADDRESS must be the session's)"
                )
                throw ExitCode.failure
            }
            let version = tools.shellVersion().map { " \($0.full)" } ?? ""
            print("GNOME Shell\(version): \(Self.describe(state: info.state, error: info.error))")
            if let protocolVersion = tools.extensionAnswers() {
                print("answering: yes (protocol version \(protocolVersion))")
                if protocolVersion != GnomeShellExtension.protocolVersion {
                    print(
                        "  an older or newer copy than this aw-server's: run aw-server gnome-extension install, then log in again"
                    )
                }
            } else {
                print("answering: no")
                throw ExitCode.failure
            }
        }

        /// The shell's extension state in words (GNOME 43's numbers, which later versions keep).
        static func describe(state: Int, error: String) -> String {
            switch state {
            case 0: "has not loaded the extension (installed after login: log out and back in)"
            case 1: "runs the extension"
            case 2: "found the extension but it is disabled (enable it with: aw-server gnome-extension install)"
            case 3: "could not run the extension: \(error)"
            case 4:
                "refuses the extension as out of date: this GNOME version is not in its list (aw-server gnome-extension install --list-version)"
            case 6: "found the extension but has not enabled it (enable it with: aw-server gnome-extension install)"
            case 7, 8: "is switching the extension on or off"
            case 99: "has had the extension removed"
            default: "reports the extension in state \(state)"
            }
        }
    }

    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable the extension and remove it.")

        func run() throws {
            let tools = GnomeShellTools()
            let uuid = GnomeShellExtension.uuid
            let folder = GnomeShellExtension.userFolder()
            let installed = FileManager.default.fileExists(atPath: folder)
            // The running shell stops and removes it at once, when it knows it.
            if let info = tools.extensionInfo(uuid), info.state != 0 { _ = tools.uninstallInShell(uuid) }
            if let enabled = try? tools.stringList("enabled-extensions"), enabled.contains(uuid) {
                try? tools.setStringList("enabled-extensions", enabled.filter { $0 != uuid })
                print("disabled it in your settings")
            }
            if installed {
                if FileManager.default.fileExists(atPath: folder) {
                    do {
                        try FileManager.default.removeItem(atPath: folder)
                    } catch {
                        throw GnomeExtensionError("cannot remove \(folder): \(fileErrorReason(error))")
                    }
                }
                print("removed \(folder)")
            } else {
                print("the extension was not installed for this user")
            }
            if let other = GnomeShellExtension.installedFolder() {
                print(
                    "a copy for all users stays in \(other) (installed by a package; remove the package to remove it)")
            }
        }
    }
}

/// A GNOME extension problem, printed as `aw-server: <message>` with a failing exit status.
struct GnomeExtensionError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
