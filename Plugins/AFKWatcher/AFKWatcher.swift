import AWCore
import AWWatcherKit
import AWX11
import Logging
import ServiceLifecycle

/// The AFK watcher module: records whether you are at the computer into `aw-watcher-afk_<hostname>`
/// (type `afkstatus`), from the X server's idle time, with exact edges at your last input.
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
        X11WatcherService(
            IdlePoller.self, configuration: configuration, displayName: configuration.display,
            bucket: Self.bucket(hostname: context.hostname), context: context)
    }
}
