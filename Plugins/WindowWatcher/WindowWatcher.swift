import AWCore
import AWWatcherKit
import Logging
import ServiceLifecycle

/// The window watcher module: records the active window's application and title into
/// `aw-watcher-window_<hostname>` (type `currentwindow`), as aw-watcher-window does, without the
/// gap it leaves at every window switch, and with privacy rules applied before recording. The
/// window comes from the X server or, in a Wayland session, from the compositor (`WindowSource`).
public struct WindowWatcher: WatcherModule {
    public static let name = "window"

    /// The watcher's settings.
    public let configuration: WindowWatcherConfiguration

    public init(configuration: WindowWatcherConfiguration) {
        self.configuration = configuration
    }

    public init(configuration: ConfigSection, testing: Bool) throws(ConfigError) {
        self.init(configuration: try WindowWatcherConfiguration(section: configuration))
    }

    public static func defaultConfiguration(testing: Bool) -> String {
        WindowWatcherConfiguration.defaultFileContents
    }

    public var isEnabled: Bool { configuration.enabled }

    /// The bucket the watcher records into.
    public static func bucket(hostname: String) -> Bucket {
        Bucket(
            id: "aw-watcher-window_\(hostname)", type: "currentwindow", client: "aw-watcher-window", hostname: hostname)
    }

    public func makeService(context: WatcherContext) -> any Service {
        let configuration = configuration
        let logger = context.logger
        return SamplingService(
            bucket: Self.bucket(hostname: context.hostname), context: context, threadName: "aw-window"
        ) {
            WindowSource.open(configuration: configuration, logger: logger)
        }
    }

    public func sourceReport() -> SourceReport {
        WindowSource.report(configuration: configuration)
    }
}
