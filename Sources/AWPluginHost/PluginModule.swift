import AWCore
import AWWatcherKit
import CAWPlugin
import Foundation
import Logging
import ServiceLifecycle

/// A plugin's module made from its configuration, as the host runs it.
public struct PluginModule: ConfiguredModule {
    let definition: PluginModuleDefinition
    /// The module's section as JSON text, without the host's keys.
    let configuration: String
    let testing: Bool
    public let isEnabled: Bool

    /// The file the module comes from.
    public var file: String { definition.file }

    public func makeService(context: WatcherContext) -> any Service {
        PluginModuleService(module: self, context: context)
    }

    public func sourceReport() -> SourceReport {
        let module = definition.module
        guard let report = module.pointee.source_report else {
            return SourceReport(module: definition.name, source: "plugin", reason: "needs no desktop session")
        }
        guard let text = report(module, configuration, testing ? 1 : 0) else {
            return SourceReport(module: definition.name, source: nil, reason: "the plugin gave no source report")
        }
        defer { free(text) }
        do {
            return try SourceReport(json: JSON.parse(String(cString: text)), module: definition.name)
        } catch {
            return SourceReport(
                module: definition.name, source: nil, reason: "the plugin's source report cannot be read: \(error)")
        }
    }
}

/// Runs a plugin's module: `start` on a thread of its own when the group starts, `stop` when it
/// shuts down. A module that does not start is logged (naming the file) and stays stopped.
struct PluginModuleService: Service {
    let module: PluginModule
    let context: WatcherContext

    func run() async throws {
        let definition = module.definition
        let host = HostSide(context: context, name: definition.name, configuration: module.configuration)
        let started = await Self.onThreadOfItsOwn { host.start(definition.module) }
        switch started {
        case .failed(let reason):
            context.logger.error(
                "the \(definition.name) module of the plugin \(definition.file) did not start: \(reason)")
            host.close()
        case .started(let instance):
            try? await gracefulShutdown()
            await Self.onThreadOfItsOwn { host.stop(definition.module, instance: instance) }
        }
    }

    /// Runs `body` on a new thread: the plugin may block there, and its calls into the host may
    /// wait for the server's executors.
    static func onThreadOfItsOwn<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            startDetachedThread(name: "aw-plugin") { continuation.resume(returning: body()) }
        }
    }
}
