import AWCore
import Logging
import ServiceLifecycle

/// A watcher module: something that observes the desktop and reports heartbeats into a bucket.
///
/// A module is built from its section of the server's `config.toml` (`[watchers.<name>]`) and
/// runs as a swift-service-lifecycle `Service`. It only talks to a `WatcherClient`, never to the
/// server's internals, so it does not depend on where the server is.
public protocol WatcherModule: Sendable {
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

    /// Whether the module should run (`enabled` in its config section).
    var isEnabled: Bool { get }

    /// The service that does the watching.
    func makeService(context: WatcherContext) -> any Service

    /// Which source the module would use on this session, and why (`aw-server sources`). It may
    /// connect to the display server to see what it offers.
    func sourceReport() -> SourceReport
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
