import AWCore
import FoundationEssentials

/// The project's GNOME Shell extension: GNOME Shell tells no other program which window has the
/// focus, so the window watcher asks this extension, which runs inside the shell and serves the
/// focused window on the session bus (`GetFocusedWindow`, and the signal `FocusedWindowChanged` at
/// every change).
///
/// One body (`reporter.js`) serves every supported version; the entry point wrapped around it is
/// the GNOME 43–44 script or the GNOME 45+ ES module, chosen for the shell it is installed for.
public enum GnomeShellExtension {
    /// The extension's id, also its folder's name.
    public static let uuid = "aw-server-swift@activitywatch.net"
    /// The name the extension owns on the session bus.
    public static let busName = "org.activitywatch.AwServerSwift.GnomeShell"
    /// Where it serves.
    public static let objectPath = "/org/activitywatch/AwServerSwift/GnomeShell"
    /// Its interface.
    public static let interface = "org.activitywatch.AwServerSwift.GnomeShell"
    /// What `GetVersion` answers for the extension this binary installs.
    public static let protocolVersion: UInt32 = 1
    /// The first GNOME version whose extensions are ES modules.
    public static let firstModuleVersion = 45

    /// The GNOME versions the extension lists in its `shell-version` (GNOME refuses to run an
    /// extension that does not list its version).
    public static let listedVersions: [Int] = {
        guard case .object(let members)? = try? JSON.parse(PackageResources.metadata_json),
            case .array(let versions)? = members["shell-version"]
        else { return [] }
        return versions.compactMap { if case .string(let text) = $0 { Int(text) } else { nil } }
    }()

    /// The extension's files for GNOME Shell `major`: `extension.js` and `metadata.json`.
    ///
    /// - Parameter listing: Adds `major` to the versions `metadata.json` lists when it is not
    ///   there (for a GNOME release newer than the extension).
    public static func files(forShell major: Int, listing: Bool = false) -> [String: [UInt8]] {
        let wrapper =
            major >= firstModuleVersion ? PackageResources.extension_module_js : PackageResources.extension_legacy_js
        let script = String(decoding: wrapper, as: UTF8.self).replacing(
            "/* REPORTER */", with: String(decoding: PackageResources.reporter_js, as: UTF8.self))
        var metadata = PackageResources.metadata_json
        if listing, !listedVersions.contains(major),
            case .object(var members)? = try? JSON.parse(PackageResources.metadata_json)
        {
            members["shell-version"] = .array((listedVersions + [major]).map { .string(String($0)) })
            metadata = Array(JSON.object(members).serialized().utf8)
        }
        return ["extension.js": Array(script.utf8), "metadata.json": metadata]
    }

    /// The folder a user's extension lives in: `$XDG_DATA_HOME/gnome-shell/extensions/<uuid>`,
    /// by default under `~/.local/share`.
    public static func userFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let dataHome =
            environment["XDG_DATA_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path) + "/.local/share"
        return dataHome + "/gnome-shell/extensions/" + uuid
    }

    /// The folders GNOME Shell looks for the extension in, the user's first.
    public static func folders(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        let dataDirectories =
            (environment["XDG_DATA_DIRS"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/local/share:/usr/share")
            .split(separator: ":").map { $0 + "/gnome-shell/extensions/" + uuid }
        return [userFolder(environment: environment)] + dataDirectories
    }

    /// The folder the extension is installed in, if any (the user's, or one for all users).
    public static func installedFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        folders(environment: environment).first { FileManager.default.fileExists(atPath: $0 + "/metadata.json") }
    }

    /// Writes the extension's files for GNOME Shell `major` into `folder` (created as needed),
    /// replacing what is there.
    ///
    /// - Throws: Foundation's error when a file cannot be written.
    public static func write(into folder: String, forShell major: Int, listing: Bool = false) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, contents) in files(forShell: major, listing: listing) {
            try Data(contents).write(to: URL(fileURLWithPath: folder + "/" + name), options: .atomic)
        }
    }

    /// What to tell a user whose session lacks the extension (or has it installed but not loaded).
    public static func missingAdvice(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let folder = installedFolder(environment: environment) {
            return
                "the GNOME Shell extension \(uuid) is installed (\(folder)) but not running: GNOME Shell on Wayland loads extensions at login, so log out and back in; `aw-server gnome-extension status` tells more"
        }
        return
            "GNOME Shell tells the active window only to an extension: run `aw-server gnome-extension install`, then log out and back in"
    }
}
