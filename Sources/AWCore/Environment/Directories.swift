import FoundationEssentials

/// The per-module directories ActivityWatch programs use on Linux, following the XDG base
/// directory conventions: `$XDG_CONFIG_HOME/activitywatch/<module>` and so on.
///
/// Setting `AW_PROFILE` to a name moves everything under `activitywatch-<name>`, as aw-core does,
/// so that profiles never see each other's data.
public struct Directories: Sendable {
    /// The environment the paths are derived from (normally the process environment).
    public var environment: [String: String]

    /// Directories for the given environment.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The application folder name: `activitywatch`, or `activitywatch-<profile>` with `AW_PROFILE`.
    public var applicationName: String {
        if let profile = environment["AW_PROFILE"], !profile.isEmpty { return "activitywatch-\(profile)" }
        return "activitywatch"
    }

    /// `$XDG_CONFIG_HOME` (default `~/.config`), where desktop-wide settings such as autostart
    /// entries and systemd user units live.
    public var configHome: String { base("XDG_CONFIG_HOME", fallback: ".config") }

    /// `$XDG_CONFIG_HOME/activitywatch[/<module>]` (default `~/.config`).
    public func configDirectory(module: String? = nil) -> String {
        path(base: base("XDG_CONFIG_HOME", fallback: ".config"), module: module)
    }

    /// `$XDG_DATA_HOME/activitywatch[/<module>]` (default `~/.local/share`).
    public func dataDirectory(module: String? = nil) -> String {
        path(base: base("XDG_DATA_HOME", fallback: ".local/share"), module: module)
    }

    /// `$XDG_CACHE_HOME/activitywatch[/<module>]` (default `~/.cache`).
    public func cacheDirectory(module: String? = nil) -> String {
        path(base: base("XDG_CACHE_HOME", fallback: ".cache"), module: module)
    }

    /// `$XDG_CACHE_HOME/activitywatch/log[/<module>]`, where ActivityWatch keeps its logs on Linux.
    public func logDirectory(module: String? = nil) -> String {
        let root = path(base: base("XDG_CACHE_HOME", fallback: ".cache"), module: "log")
        return module.map { "\(root)/\($0)" } ?? root
    }

    /// The user's home directory.
    public var home: String {
        if let home = environment["HOME"], !home.isEmpty { return home }
        return FileManager.default.homeDirectoryForCurrentUser.path
    }

    private func base(_ variable: String, fallback: String) -> String {
        // The XDG spec says relative values are invalid and must be ignored.
        if let value = environment[variable], value.hasPrefix("/") { return value }
        return "\(home)/\(fallback)"
    }

    private func path(base: String, module: String?) -> String {
        let root = "\(base)/\(applicationName)"
        return module.map { "\(root)/\($0)" } ?? root
    }

    /// Creates `path` and its parents when missing.
    ///
    /// - Returns: `path`.
    /// - Throws: the file system's error when it cannot be created.
    @discardableResult
    public static func ensureExists(_ path: String) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
