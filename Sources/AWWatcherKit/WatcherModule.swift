import AWCore
import Logging
import ServiceLifecycle

/// A watcher module: something that observes the desktop and reports heartbeats into a bucket.
///
/// A module is built from its section of the server's `config.toml` (`[watchers.<name>]`) and
/// runs as a swift-service-lifecycle `Service`. It only talks to a `WatcherClient`, never to the
/// server's internals, so it does not depend on where the server is.
public protocol WatcherModule: ConfiguredModule {
    /// The module's name, which is also its config section: `window`, `afk`.
    static var name: String { get }

    /// The module's part of a new `config.toml`: every setting commented out at its default.
    static func defaultConfiguration(testing: Bool) -> String

    /// Reads the module's settings.
    ///
    /// - Parameters:
    ///   - configuration: The `[watchers.<name>]` table (empty when absent).
    ///   - testing: Testing mode, which may change defaults (shorter timeouts).
    /// - Throws: `ConfigError` naming a bad setting.
    init(configuration: ConfigSection, testing: Bool) throws(ConfigError)

}

/// A module made from its configuration, ready to run: a `WatcherModule` value, or a module of a
/// plugin library as the host sees it.
public protocol ConfiguredModule: Sendable {
    /// Whether the module should run (`enabled` in its config section).
    var isEnabled: Bool { get }

    /// The service that does the watching.
    func makeService(context: WatcherContext) -> any Service

    /// Which source the module would use on this session, and why (`aw-server sources`). It may
    /// connect to the display server to see what it offers.
    func sourceReport() -> SourceReport
}

/// What a host knows of a module before its configuration is read: its name, its part of a new
/// config.toml, and how to make it from its section. Built from a `WatcherModule` type, or from a
/// module a plugin library provides.
public struct ModuleDescriptor: Sendable {
    /// The module's name and config section (`[watchers.<name>]`).
    public let name: String
    private let defaults: @Sendable (Bool) -> String
    private let make: @Sendable (ConfigSection, Bool) throws(ConfigError) -> any ConfiguredModule

    /// A module known by these functions.
    ///
    /// - Parameters:
    ///   - name: The module's name.
    ///   - defaultConfiguration: Its part of a new config.toml, given testing mode.
    ///   - configure: Makes the module from its section and testing mode, or throws `ConfigError`.
    public init(
        name: String, defaultConfiguration: @escaping @Sendable (Bool) -> String,
        configure: @escaping @Sendable (ConfigSection, Bool) throws(ConfigError) -> any ConfiguredModule
    ) {
        self.name = name
        self.defaults = defaultConfiguration
        self.make = configure
    }

    /// The module a `WatcherModule` type describes.
    public init(_ type: any WatcherModule.Type) {
        self.init(
            name: type.name, defaultConfiguration: { type.defaultConfiguration(testing: $0) },
            configure: { (section, testing) throws(ConfigError) in
                try type.init(configuration: section, testing: testing)
            })
    }

    /// The module's part of a new `config.toml`: every setting commented out at its default.
    public func defaultConfiguration(testing: Bool) -> String { defaults(testing) }

    /// Makes the module from its `[watchers.<name>]` section.
    ///
    /// - Throws: `ConfigError` naming a bad setting.
    public func configure(_ section: ConfigSection, testing: Bool) throws(ConfigError) -> any ConfiguredModule {
        try make(section, testing)
    }
}

extension WatcherModule {
    /// Modules that observe no desktop need no session.
    public func sourceReport() -> SourceReport {
        SourceReport(module: Self.name, source: "built-in", reason: "needs no desktop session")
    }
}

/// What a running watcher module is given.
public struct WatcherContext: Sendable {
    /// Where heartbeats go.
    public var client: any WatcherClient
    /// Where to log (its label names the module).
    public var logger: Logger
    /// The machine's hostname, used in bucket ids (`aw-watcher-window_<hostname>`).
    public var hostname: String
    /// Testing mode.
    public var testing: Bool

    public init(client: any WatcherClient, logger: Logger, hostname: String, testing: Bool) {
        self.client = client
        self.logger = logger
        self.hostname = hostname
        self.testing = testing
    }
}
