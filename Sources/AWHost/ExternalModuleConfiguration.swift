import AWCore

/// One external module to run: a program (usually an `aw-watcher-*` found on `PATH`) and the
/// arguments to give it.
public struct ExternalModule: Sendable, Hashable {
    /// The program: a name looked up on `PATH`, or a path.
    public var name: String
    /// Arguments from the config; `nil` when none were given (the host then passes the port to
    /// modules that take `--port`).
    public var arguments: [String]?
    /// The name for logs and log files when the program's own name would not tell modules apart
    /// (`aw-watcher-window` for `aw-server watch window`).
    public var label: String?

    public init(name: String, arguments: [String]? = nil, label: String? = nil) {
        self.name = name
        self.arguments = arguments
        self.label = label
    }

    /// The label, or the name without a directory, for logs and log files.
    public var displayName: String { label ?? name.split(separator: "/").last.map(String.init) ?? name }
}

/// The `[modules]` settings: which external modules `aw-server` starts and supervises.
public struct ExternalModulesConfiguration: Sendable, Hashable {
    /// Modules named in the config, in order.
    public var autostart: [ExternalModule]
    /// Whether to also start every `aw-watcher-*` program found on `PATH`.
    public var discover: Bool

    public init(autostart: [ExternalModule] = [], discover: Bool = false) {
        self.autostart = autostart
        self.discover = discover
    }

    /// Reads `[modules]`: `autostart` is a list whose items are a program name or path, or a
    /// table `{ name = "...", args = ["..."] }`; `discover` is a boolean.
    ///
    /// - Throws: `ConfigError` naming the bad item.
    public init(section: ConfigSection) throws(ConfigError) {
        self.init()
        discover = try section.bool("discover") ?? false
        for item in try section.stringsOrTables("autostart") ?? [] {
            switch item {
            case .string(let name):
                guard !name.isEmpty else { throw section.error("autostart", "holds an empty program name") }
                autostart.append(ExternalModule(name: name))
            case .table(let module):
                if let unknown = module.keys.first(where: { $0 != "name" && $0 != "args" }) {
                    throw module.error(unknown, "is not a module setting (use name, args)")
                }
                guard let name = try module.string("name"), !name.isEmpty else {
                    throw module.error("name", "is missing: name the program to run")
                }
                autostart.append(ExternalModule(name: name, arguments: try module.strings("args") ?? []))
            }
        }
    }

    /// The `[modules]` part of a new `config.toml`, commented out.
    public static let defaultFileContents = """
        [modules]
        # External modules (any aw-watcher-* program, e.g. the Python watchers) to start with the
        # server and restart after a crash (2, 4, 8 s; given up after 3 restarts in 10 minutes).
        # Each gets --testing in testing mode (as aw-qt passes it) and its args. Off the default
        # port, a module without args gets --port when its --help lists it; for the others
        # (most watchers on PyPI) the port is written into aw-client.toml, which ActivityWatch
        # clients read. Their output goes to the log directory.
        #autostart = ["aw-watcher-input", { name = "aw-watcher-spotify", args = ["--poll-time", "10"] }]
        # Also start every aw-watcher-* program found on PATH (except those the plugins'
        # watchers replace while they are enabled).
        #discover = false

        """
}
