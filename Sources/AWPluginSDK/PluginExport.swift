import AWCore
import AWWatcherKit
import CAWPlugin
import Glibc
import Synchronization

/// Exports `WatcherModule`s from a plugin library, so that `aw-server` loads them from a file at
/// run time as it loads its own desktop watchers.
///
/// A plugin's whole export, in a library product of `type: .dynamic`:
///
/// ```swift
/// import AWPluginSDK
///
/// @_cdecl("aw_plugin_entry")
/// public func pluginEntry() -> UnsafeRawPointer { PluginExport.entry(GitBranchWatcher.self) }
/// ```
///
/// The modules then run as they do when compiled into a host: their section of config.toml,
/// their `WatcherContext` (whose client reports through the host), their service started after
/// the HTTP server and stopped before it, their log lines in the server's log.
public enum PluginExport {
    /// The plugin description `aw_plugin_entry` returns for `modules` (built on the first call;
    /// later calls return the same one).
    public static func entry(_ modules: any WatcherModule.Type...) -> UnsafeRawPointer {
        exported.withLock { plugin in
            if let plugin { return UnsafeRawPointer(plugin) }
            let made = makePlugin(modules)
            plugin = made
            return UnsafeRawPointer(made)
        }
    }

    /// The modules of this library, in `aw_module.context` order.
    static let types = Mutex<[any WatcherModule.Type]>([])
    private static let exported = Mutex<UnsafeMutablePointer<aw_plugin>?>(nil)

    private static func makePlugin(_ modules: [any WatcherModule.Type]) -> UnsafeMutablePointer<aw_plugin> {
        types.withLock { $0 = modules }
        let table = UnsafeMutablePointer<aw_module>.allocate(capacity: max(modules.count, 1))
        for (index, type) in modules.enumerated() {
            let enabled = (try? type.init(configuration: .empty(), testing: false).isEnabled) ?? false
            table.advanced(by: index).initialize(
                to: aw_module(
                    name: strdup(type.name),
                    default_config: strdup(type.defaultConfiguration(testing: false)),
                    enabled_by_default: enabled ? 1 : 0,
                    context: UnsafeMutableRawPointer(bitPattern: index + 1),
                    check_config: { module, config, testing in
                        PluginModuleCalls.checkConfig(module, config, testing)
                    },
                    source_report: { module, config, testing in
                        PluginModuleCalls.sourceReport(module, config, testing)
                    },
                    start: { module, api, host, error in PluginModuleCalls.start(module, api, host, error) },
                    stop: { _, instance in PluginModuleCalls.stop(instance) }))
        }
        let plugin = UnsafeMutablePointer<aw_plugin>.allocate(capacity: 1)
        plugin.initialize(
            to: aw_plugin(
                abi_version: UInt32(AW_PLUGIN_ABI_VERSION), module_count: UInt32(modules.count), modules: table))
        return plugin
    }
}

/// The module functions of the exported table, in Swift.
enum PluginModuleCalls {
    /// The module type an `aw_module` of this library stands for.
    static func type(of module: UnsafePointer<aw_module>?) -> (any WatcherModule.Type)? {
        guard let module, let context = module.pointee.context else { return nil }
        let index = Int(bitPattern: context) - 1
        return PluginExport.types.withLock { index >= 0 && index < $0.count ? $0[index] : nil }
    }

    /// The module's section, from the JSON the host hands over.
    static func section(_ type: any WatcherModule.Type, _ config: UnsafePointer<CChar>?) throws(ConfigError)
        -> ConfigSection
    {
        let name = "watchers.\(type.name)"
        guard let config else { return .empty(name: name) }
        guard case .object(let values)? = try? JSON.parse(String(cString: config)) else {
            throw ConfigError(path: "config.toml", reason: "the host passed a configuration that is not a JSON object")
        }
        return ConfigSection(file: "config.toml", name: name, json: values)
    }

    static func configure(_ type: any WatcherModule.Type, _ config: UnsafePointer<CChar>?, _ testing: Int32)
        throws(ConfigError) -> any WatcherModule
    {
        try type.init(configuration: try section(type, config), testing: testing != 0)
    }

    static func checkConfig(_ module: UnsafePointer<aw_module>?, _ config: UnsafePointer<CChar>?, _ testing: Int32)
        -> UnsafeMutablePointer<CChar>?
    {
        guard let type = type(of: module) else { return strdup("unknown module") }
        do {
            _ = try configure(type, config, testing)
            return nil
        } catch {
            return strdup(error.reason)
        }
    }

    static func sourceReport(_ module: UnsafePointer<aw_module>?, _ config: UnsafePointer<CChar>?, _ testing: Int32)
        -> UnsafeMutablePointer<CChar>?
    {
        guard let type = type(of: module) else { return nil }
        let report: SourceReport
        do {
            report = try configure(type, config, testing).sourceReport()
        } catch {
            report = SourceReport(module: type.name, source: nil, reason: error.reason)
        }
        return strdup(report.json.serialized())
    }

    static func start(
        _ module: UnsafePointer<aw_module>?, _ api: UnsafePointer<aw_host_api>?, _ host: OpaquePointer?,
        _ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    ) -> UnsafeMutableRawPointer? {
        guard let type = type(of: module), let api, let host else {
            error?.pointee = strdup("the host passed no module, table or host")
            return nil
        }
        let connection = HostConnection(api: api, host: host)
        do {
            let configured = try configure(type, api.pointee.config(host), api.pointee.testing(host))
            let running = RunningModule(module: configured, connection: connection, name: type.name)
            return Unmanaged.passRetained(running).toOpaque()
        } catch let failure {
            error?.pointee = strdup(failure.reason)
            return nil
        }
    }

    static func stop(_ instance: UnsafeMutableRawPointer?) {
        guard let instance else { return }
        Unmanaged<RunningModule>.fromOpaque(instance).takeRetainedValue().stop()
    }
}
