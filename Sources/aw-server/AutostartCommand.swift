import AWCore
import AWGnomeShell
import AWWatcherKit
import ArgumentParser
import Foundation

/// `aw-server autostart install|uninstall`: start `aw-server` with the desktop session.
struct AutostartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autostart",
        abstract: "Start aw-server with your desktop session (XDG autostart or a systemd user unit).",
        subcommands: [Install.self, Uninstall.self, Show.self]
    )

    /// Which mechanism to use.
    enum Mechanism: String, EnumerableFlag {
        /// `$XDG_CONFIG_HOME/autostart/aw-server-swift.desktop`, started by the desktop session.
        case xdg
        /// `$XDG_CONFIG_HOME/systemd/user/aw-server-swift.service`, bound to graphical-session.target.
        case systemd

        static func help(for value: Mechanism) -> ArgumentHelp? {
            switch value {
            case .xdg: "An XDG autostart entry, started by the desktop session (the default)."
            case .systemd: "A systemd user unit bound to graphical-session.target, restarted on failure."
            }
        }
    }

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install the autostart entry for this aw-server binary.",
            discussion: """
                Arguments after `--` are passed to aw-server at each start, e.g. \
                `aw-server autostart install -- --port 5601`.
                """
        )

        @Flag var mechanism: Mechanism = .xdg

        @Argument(parsing: .postTerminator, help: "Arguments for aw-server.")
        var serverArguments: [String] = []

        func run() throws {
            let entry = AutostartEntry(executable: AutostartEntry.currentExecutable, arguments: serverArguments)
            let path = AutostartEntry.path(for: mechanism)
            do {
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(entry.contents(for: mechanism).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw AutostartError("cannot write \(path): \(fileErrorReason(error))")
            }
            print("installed \(path)")
            switch mechanism {
            case .xdg:
                print("aw-server will start with your next desktop session.")
            case .systemd:
                if Systemctl.run(["daemon-reload"]) && Systemctl.run(["enable", AutostartEntry.unitName]) {
                    print(
                        "enabled \(AutostartEntry.unitName); start it now with: systemctl --user start \(AutostartEntry.unitName)"
                    )
                } else {
                    print(
                        """
                        systemctl --user is not available here; in your session run:
                          systemctl --user daemon-reload && systemctl --user enable --now \(AutostartEntry.unitName)
                        """)
                }
                print(
                    """
                    The unit takes the session's variables from the user manager: DISPLAY and XAUTHORITY \
                    on X11; WAYLAND_DISPLAY, XDG_CURRENT_DESKTOP and DBUS_SESSION_BUS_ADDRESS on Wayland. \
                    GNOME and KDE Plasma hand them over. On sway and other wlroots compositors add to the \
                    compositor's config: exec systemctl --user import-environment WAYLAND_DISPLAY \
                    XDG_CURRENT_DESKTOP; on X11 without a desktop environment add to ~/.xprofile: \
                    systemctl --user import-environment DISPLAY XAUTHORITY. `aw-server sources` shows what \
                    the watchers see.
                    """)
            }
            let session = DesktopSession()
            if session.isWayland, session.isDesktop("GNOME"), GnomeShellExtension.installedFolder() == nil {
                print(
                    "On GNOME (Wayland) the window watcher also needs the GNOME Shell extension: aw-server gnome-extension install"
                )
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the autostart entry that `install` would write, without installing it.",
            discussion: """
                Useful to review the entry, or to place it yourself (the Debian package's \
                /usr/lib/systemd/user/aw-server-swift.service is this command's output).
                """
        )

        @Flag var mechanism: Mechanism = .xdg

        @Option(help: "The aw-server binary the entry starts (default: this one).")
        var executable: String?

        @Argument(parsing: .postTerminator, help: "Arguments for aw-server.")
        var serverArguments: [String] = []

        func run() throws {
            let entry = AutostartEntry(
                executable: executable ?? AutostartEntry.currentExecutable, arguments: serverArguments)
            print(entry.contents(for: mechanism), terminator: "")
        }
    }

    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the autostart entries (both kinds, unless one is named).")

        @Flag var mechanism: Mechanism?

        func run() throws {
            var removed = false
            for mechanism in mechanism.map({ [$0] }) ?? Mechanism.allCases {
                let path = AutostartEntry.path(for: mechanism)
                guard FileManager.default.fileExists(atPath: path) else { continue }
                if mechanism == .systemd { _ = Systemctl.run(["disable", AutostartEntry.unitName]) }
                do {
                    try FileManager.default.removeItem(atPath: path)
                } catch {
                    throw AutostartError("cannot remove \(path): \(fileErrorReason(error))")
                }
                if mechanism == .systemd { _ = Systemctl.run(["daemon-reload"]) }
                print("removed \(path)")
                removed = true
            }
            if !removed { print("no autostart entry was installed") }
        }
    }
}

/// An autostart problem, printed as `aw-server: <message>` with a failing exit status.
struct AutostartError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The autostart files for one `aw-server` command line.
struct AutostartEntry {
    static let unitName = "aw-server-swift.service"

    /// The absolute path of the running `aw-server`.
    static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Where the entry for `mechanism` lives.
    static func path(for mechanism: AutostartCommand.Mechanism) -> String {
        let config = Directories().configHome
        switch mechanism {
        case .xdg: return "\(config)/autostart/aw-server-swift.desktop"
        case .systemd: return "\(config)/systemd/user/\(unitName)"
        }
    }

    let executable: String
    let arguments: [String]

    func contents(for mechanism: AutostartCommand.Mechanism) -> String {
        switch mechanism {
        case .xdg: desktopEntry
        case .systemd: systemdUnit
        }
    }

    /// An XDG autostart desktop entry; it inherits the session's variables (DISPLAY, XAUTHORITY,
    /// WAYLAND_DISPLAY, XDG_CURRENT_DESKTOP, DBUS_SESSION_BUS_ADDRESS) from the session.
    var desktopEntry: String {
        """
        [Desktop Entry]
        Type=Application
        Name=aw-server-swift
        Comment=ActivityWatch-compatible time tracker: records the active window and AFK time, serves the ActivityWatch API
        Exec=\(([executable] + arguments).map(Self.desktopExecQuoted).joined(separator: " "))
        Terminal=false
        NoDisplay=true
        X-GNOME-Autostart-enabled=true

        """
    }

    /// A systemd user unit that runs with the graphical session and restarts after a crash.
    var systemdUnit: String {
        """
        [Unit]
        Description=aw-server-swift, an ActivityWatch-compatible time tracker
        PartOf=graphical-session.target
        After=graphical-session.target

        [Service]
        Type=simple
        ExecStart=\(([executable] + arguments).map(Self.systemdQuoted).joined(separator: " "))
        Restart=on-failure
        RestartSec=5

        [Install]
        WantedBy=graphical-session.target

        """
    }

    /// One argument of a desktop entry's `Exec` key: quoted when needed, with `"`, `` ` ``, `$`
    /// and `\` escaped inside the quotes, and `%` doubled (Desktop Entry Specification).
    static func desktopExecQuoted(_ argument: String) -> String {
        let reserved = Set(" \t\n\"'\\><~|&;$*?#()`")
        var text = argument.replacingOccurrences(of: "%", with: "%%")
        guard text.isEmpty || text.contains(where: reserved.contains) else { return text }
        text = text.map { "\"`$\\".contains($0) ? "\\\($0)" : String($0) }.joined()
        // Inside a desktop file's string value a backslash is itself escaped.
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\") + "\""
    }

    /// One argument of a systemd `ExecStart=`: quoted when needed, with `%` and `$` doubled so
    /// systemd substitutes nothing.
    static func systemdQuoted(_ argument: String) -> String {
        var text = argument.replacingOccurrences(of: "%", with: "%%").replacingOccurrences(of: "$", with: "$$")
        guard text.isEmpty || text.contains(where: { " \t\n\"'\\;".contains($0) }) else { return text }
        text = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(text)\""
    }
}

/// `systemctl --user`, when there is a user manager to talk to.
enum Systemctl {
    /// Runs `systemctl --user <arguments>` quietly; whether it succeeded.
    static func run(_ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["systemctl", "--user", "--quiet"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return false
        }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
