import AWCore
import AWWatcherKit
import CAWPlugin
import Foundation

/// Why a file is not a usable plugin.
public struct PluginLoadError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, e.g. "not a shared library: ... invalid ELF header".
    public var reason: String
    /// The ABI version the plugin declared, when it got that far.
    public var abiVersion: Int?

    public var description: String { reason }
}

/// A plugin library, opened and asked for its modules. Libraries are never closed: code of a
/// module may still run on threads the plugin made, and Swift libraries cannot be unloaded.
struct PluginLibrary {
    /// One module of the library.
    struct Module {
        let name: String
        let descriptor: ModuleDescriptor
    }

    let path: String
    let modules: [Module]

    init(path: String) throws(PluginLoadError) {
        self.path = path
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            throw PluginLoadError(reason: "cannot be loaded: \(reason)")
        }
        guard let symbol = dlsym(handle, AW_PLUGIN_ENTRY_SYMBOL) else {
            throw PluginLoadError(
                reason: "not an aw-server plugin: it exports no function '\(AW_PLUGIN_ENTRY_SYMBOL)'")
        }
        let entry = unsafeBitCast(symbol, to: aw_plugin_entry_fn.self)
        guard let plugin = entry() else {
            throw PluginLoadError(reason: "its '\(AW_PLUGIN_ENTRY_SYMBOL)' returned no plugin description")
        }
        let version = Int(plugin.pointee.abi_version)
        let supported = Int(AW_PLUGIN_ABI_VERSION)
        if version > supported {
            throw PluginLoadError(
                reason:
                    "built for plugin ABI version \(version), newer than this aw-server's \(supported): update aw-server",
                abiVersion: version)
        }
        if version < supported {
            throw PluginLoadError(
                reason:
                    "built for plugin ABI version \(version), older than this aw-server's \(supported): rebuild the plugin against this aw-server",
                abiVersion: version)
        }
        let count = Int(plugin.pointee.module_count)
        guard count == 0 || plugin.pointee.modules != nil else {
            throw PluginLoadError(reason: "it lists \(count) modules but no module table", abiVersion: version)
        }
        var modules: [Module] = []
        for index in 0..<count {
            let module = plugin.pointee.modules.advanced(by: index)
            guard let name = module.pointee.name.map({ String(cString: $0) }) else {
                throw PluginLoadError(reason: "module \(index + 1) has no name", abiVersion: version)
            }
            guard module.pointee.start != nil, module.pointee.stop != nil else {
                throw PluginLoadError(reason: "module '\(name)' has no start or stop function", abiVersion: version)
            }
            let definition = PluginModuleDefinition(module: module, name: name, file: path)
            modules.append(Module(name: name, descriptor: definition.descriptor))
        }
        self.modules = modules
    }
}

/// One module of a loaded plugin: the `aw_module` of its library, which lives as long as the
/// process.
struct PluginModuleDefinition: @unchecked Sendable {
    // Points into the plugin's static storage, which is never freed; only read.
    let module: UnsafePointer<aw_module>
    let name: String
    let file: String

    /// Keys of a module's section that the host reads itself and does not hand to the plugin.
    static let hostKeys: Set<String> = ["isolate"]

    var enabledByDefault: Bool { module.pointee.enabled_by_default != 0 }

    var descriptor: ModuleDescriptor {
        let defaults = module.pointee.default_config.map { String(cString: $0) } ?? ""
        return ModuleDescriptor(
            name: name, defaultConfiguration: { _ in defaults },
            configure: { (section, testing) throws(ConfigError) in try configure(section, testing: testing) })
    }

    /// The module made from its section, after the plugin has checked it.
    func configure(_ section: ConfigSection, testing: Bool) throws(ConfigError) -> PluginModule {
        let configuration = JSON.object(section.json.filter { !Self.hostKeys.contains($0.key) }).serialized()
        if let check = module.pointee.check_config, let message = check(module, configuration, testing ? 1 : 0) {
            let reason = String(cString: message)
            free(message)
            throw ConfigError(path: section.file, reason: reason)
        }
        return PluginModule(
            definition: self, configuration: configuration, testing: testing,
            isEnabled: try section.bool("enabled") ?? enabledByDefault)
    }
}
