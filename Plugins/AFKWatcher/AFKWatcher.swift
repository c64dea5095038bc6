import AWCore
import AWWatcherKit
import Logging
import ServiceLifecycle

/// The AFK watcher module: records whether you are at the computer into `aw-watcher-afk_<hostname>`
/// (type `afkstatus`), from the X server's idle time or the Wayland compositor's idle
/// notifications (`IdleSource`), with exact edges at your last input.
public struct AFKWatcher: WatcherModule {
    public static let name = "afk"

    /// The watcher's settings.
    public let configuration: AFKWatcherConfiguration

    public init(configuration: AFKWatcherConfiguration) {
        self.configuration = configuration
    }

    public init(configuration: ConfigSection, testing: Bool) throws(ConfigError) {
        self.init(configuration: try AFKWatcherConfiguration(section: configuration, testing: testing))
    }

    public static func defaultConfiguration(testing: Bool) -> String {
        AFKWatcherConfiguration.defaultFileContents(testing: testing)
    }

    public var isEnabled: Bool { configuration.enabled }

    /// The bucket the watcher records into.
    public static func bucket(hostname: String) -> Bucket {
        Bucket(id: "aw-watcher-afk_\(hostname)", type: "afkstatus", client: "aw-watcher-afk", hostname: hostname)
    }

    public func makeService(context: WatcherContext) -> any Service {
        let configuration = configuration
        let logger = context.logger
        return SamplingService(bucket: Self.bucket(hostname: context.hostname), context: context, threadName: "aw-afk")
        {
            IdleSource.open(configuration: configuration, logger: logger)
        }
    }

    public func sourceReport() -> SourceReport {
        IdleSource.report(configuration: configuration)
    }
}
