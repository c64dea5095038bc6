import AWCore
import AWWatcherKit
import Foundation

/// An example watcher module run as a process of its own: `aw-watcher-load` records the
/// machine's load into `aw-watcher-load_<hostname>` as "idle", "busy" or "overloaded" (the
/// 1-minute load average per CPU core below 0.5, below 1, or above), so a query shows how long
/// the machine worked hard. `WatcherRunner` gives it its command line, the server connection and
/// the queue on disk; listed among aw-server's modules, the same type would run inside the server.
public struct LoadWatcher: PollingWatcher {
    public static let name = "load"
    public static let eventType = "os.load"

    public let isEnabled: Bool
    public let pollTime: Double

    public static func defaultConfiguration(testing: Bool) -> String {
        """
        [watchers.load]
        #enabled = true
        #poll_time = 5.0

        """
    }

    public init(configuration: ConfigSection, testing: Bool) throws(ConfigError) {
        isEnabled = try configuration.bool("enabled") ?? true
        pollTime = try configuration.double("poll_time") ?? 5
        guard pollTime > 0 else { throw configuration.error("poll_time", "must be a number of seconds above 0") }
    }

    public func sample() async throws -> [String: JSON]? {
        let text = try String(contentsOfFile: "/proc/loadavg", encoding: .utf8)
        guard let load = text.split(separator: " ").first.flatMap({ Double($0) }) else { return nil }
        let perCore = load / Double(ProcessInfo.processInfo.activeProcessorCount)
        return ["state": .string(perCore < 0.5 ? "idle" : perCore < 1 ? "busy" : "overloaded")]
    }
}
