import AWCore
import AWWatcherKit
import CAWPlugin
import Dispatch
import Foundation
import Logging
import Synchronization

/// A module instance the plugin's `start` returned; opaque to the host.
struct PluginInstance: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
}

/// What `start` gave.
enum StartOutcome: Sendable {
    case started(PluginInstance)
    case failed(String)
}

/// The host's side of one running plugin module: what the `aw_host` handle stands for. The
/// plugin's calls arrive on its own threads and are carried out on the server's executors while
/// the calling thread waits.
final class HostSide: @unchecked Sendable {
    let context: WatcherContext
    let name: String
    /// The module's configuration (JSON) and the hostname as the plugin reads them; they live as
    /// long as this object, which outlives the module's `stop`.
    let configurationText: UnsafeMutablePointer<CChar>
    let hostnameText: UnsafeMutablePointer<CChar>
    private let isOpen = Mutex(true)

    init(context: WatcherContext, name: String, configuration: String) {
        self.context = context
        self.name = name
        self.configurationText = strdup(configuration)
        self.hostnameText = strdup(context.hostname)
    }

    deinit {
        free(configurationText)
        free(hostnameText)
    }

    /// Calls the module's `start` (on the caller's thread, which must be the host's own).
    func start(_ module: UnsafePointer<aw_module>) -> StartOutcome {
        var message: UnsafeMutablePointer<CChar>?
        let handle = OpaquePointer(Unmanaged.passUnretained(self).toOpaque())
        let instance = module.pointee.start(module, HostTable.shared.pointer, handle, &message)
        defer { free(message) }
        if let instance { return .started(PluginInstance(pointer: instance)) }
        return .failed(message.map { String(cString: $0) } ?? "its start function gave no reason")
    }

    /// Calls the module's `stop`, after which the plugin's calls are refused.
    func stop(_ module: UnsafePointer<aw_module>, instance: PluginInstance) {
        module.pointee.stop(module, instance.pointer)
        close()
    }

    /// Refuses every later call of the plugin (it should make none after `stop`).
    func close() {
        isOpen.withLock { $0 = false }
    }

    /// The host for a handle the plugin passes back.
    static func from(_ handle: OpaquePointer?) -> HostSide? {
        handle.map { Unmanaged<HostSide>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
    }

    /// Runs `work` on the server's executors and waits for it on the calling (plugin's) thread.
    /// Answers `AW_INVALID` for a call that cannot be read, `AW_UNAVAILABLE` when the server did
    /// not record it, with the reason in `error`.
    func perform(
        _ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
        _ work: @escaping @Sendable (WatcherContext) async throws -> Void
    ) -> Int32 {
        error?.pointee = nil
        guard isOpen.withLock({ $0 }) else {
            error?.pointee = strdup("the \(name) module was stopped; the host takes no more calls from it")
            return Int32(AW_UNAVAILABLE.rawValue)
        }
        let outcome = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        let context = self.context
        Task {
            do {
                try await work(context)
            } catch {
                outcome.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        guard let failure = outcome.withLock({ $0 }) else { return Int32(AW_OK.rawValue) }
        error?.pointee = strdup("\(failure)")
        return Int32((failure is InvalidCall ? AW_INVALID : AW_UNAVAILABLE).rawValue)
    }
}

/// A call whose arguments cannot be read.
struct InvalidCall: Error, CustomStringConvertible {
    let description: String
}

/// The table of host functions every plugin module gets, at one address for the life of the
/// process (plugins keep the pointer `start` gives them).
struct HostTable: @unchecked Sendable {
    // Written once, before any plugin sees it; only read afterwards.
    let pointer: UnsafePointer<aw_host_api>

    static let shared = HostTable(
        pointer: UnsafePointer(UnsafeMutablePointer<aw_host_api>.allocate(capacity: 1).initialized(to: api)))

    private static let api = aw_host_api(
        abi_version: UInt32(AW_PLUGIN_ABI_VERSION),
        size: UInt32(MemoryLayout<aw_host_api>.size),
        ensure_bucket: { handle, bucket, error in
            guard let host = HostSide.from(handle) else { return Int32(AW_INVALID.rawValue) }
            let text = bucket.map { String(cString: $0) }
            return host.perform(error) { context in
                try await context.client.ensureBucket(try HostTable.bucket(text, host: host))
            }
        },
        heartbeat: { handle, bucketID, event, pulsetime, error in
            guard let host = HostSide.from(handle) else { return Int32(AW_INVALID.rawValue) }
            let id = bucketID.map { String(cString: $0) }
            let text = event.map { String(cString: $0) }
            return host.perform(error) { context in
                guard let id else { throw InvalidCall(description: "no bucket id") }
                let event = try HostTable.decode("an event", text) { try Event(json: $0) }
                try await context.client.heartbeat(event, bucketID: id, pulsetime: pulsetime)
            }
        },
        insert_events: { handle, bucketID, events, error in
            guard let host = HostSide.from(handle) else { return Int32(AW_INVALID.rawValue) }
            let id = bucketID.map { String(cString: $0) }
            let text = events.map { String(cString: $0) }
            return host.perform(error) { context in
                guard let id else { throw InvalidCall(description: "no bucket id") }
                let events = try HostTable.decode("a list of events", text) { try Event.array(json: $0) }
                try await context.client.insertEvents(events, bucketID: id)
            }
        },
        log: { handle, level, message in
            guard let host = HostSide.from(handle), let message else { return }
            let swiftLevel: Logger.Level =
                switch UInt32(clamping: level) {
                case AW_LOG_DEBUG.rawValue: .debug
                case AW_LOG_INFO.rawValue: .info
                case AW_LOG_WARNING.rawValue: .warning
                default: .error
                }
            host.context.logger.log(level: swiftLevel, "\(String(cString: message))")
        },
        config: { handle in UnsafePointer(HostSide.from(handle)?.configurationText) },
        hostname: { handle in UnsafePointer(HostSide.from(handle)?.hostnameText) },
        testing: { handle in (HostSide.from(handle)?.context.testing ?? false) ? 1 : 0 }
    )

    /// Reads JSON text with `make`; a failure is an `InvalidCall` naming `what`.
    static func decode<T>(_ what: String, _ text: String?, _ make: (JSON) throws -> T) throws -> T {
        guard let text else { throw InvalidCall(description: "no \(what) given") }
        do {
            return try make(try JSON.parse(text))
        } catch {
            throw InvalidCall(description: "not \(what): \(error)")
        }
    }

    /// A bucket from the plugin's JSON; `client` defaults to the module's name, `hostname` to
    /// the host's.
    static func bucket(_ text: String?, host: HostSide) throws -> Bucket {
        try decode("a bucket", text) { json in
            guard case .object(var fields) = json else { throw InvalidCall(description: "not a JSON object") }
            if fields["client"] == nil { fields["client"] = .string(host.name) }
            if fields["hostname"] == nil { fields["hostname"] = .string(host.context.hostname) }
            return try Bucket(json: .object(fields))
        }
    }
}

extension UnsafeMutablePointer {
    /// The pointer, its memory initialized to `value`.
    fileprivate func initialized(to value: Pointee) -> Self {
        initialize(to: value)
        return self
    }
}
