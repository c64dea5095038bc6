import AFKWatcher
import AWCore
import AWHost
import AWServer
import WindowWatcher

/// `config.toml` text, read as `aw-server` reads it at start-up: the server settings, each
/// watcher module's section and the external modules. Anything may be rejected (with a
/// `ConfigError`), nothing may crash.
enum ConfigFuzzing {
    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        guard let file = try? ConfigFile(path: "config.toml", text: String(decoding: input, as: UTF8.self)) else {
            return
        }
        for testing in [false, true] {
            _ = try? ServerConfiguration(file: file, testing: testing)
            _ = try? WindowWatcher(configuration: file.section("watchers.window"), testing: testing)
            _ = try? AFKWatcher(configuration: file.section("watchers.afk"), testing: testing)
        }
        _ = try? ExternalModulesConfiguration(section: file.section("modules"))
    }
}
