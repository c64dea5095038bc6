import AWCore
import AWWatcherKit
import CAWPlugin
import Dispatch
import FoundationEssentials
import Glibc
import Logging

/// The host's functions for one running module, as a `WatcherClient` and a log.
///
/// The host's calls block until the server has recorded a heartbeat, so they are made on a
/// serial queue of their own and never on a thread of Swift concurrency's executor (which in
/// `aw-server` is the server's event loops). The queue also keeps the calls in order.
final class HostConnection: WatcherClient, @unchecked Sendable {
    // The table and the host handle are the host's, valid until `stop` returns; they are only
    // read.
    private let api: UnsafePointer<aw_host_api>
    private let host: OpaquePointer
    private let queue = DispatchQueue(label: "aw-plugin.host-calls")

    init(api: UnsafePointer<aw_host_api>, host: OpaquePointer) {
        self.api = api
        self.host = host
    }

    /// The machine's hostname, as the host names it.
    var hostname: String { api.pointee.hostname.flatMap { $0(host) }.map { String(cString: $0) } ?? Hostname.local }

    /// Whether the host runs in testing mode.
    var testing: Bool { (api.pointee.testing?(host) ?? 0) != 0 }

    func ensureBucket(_ bucket: Bucket) async throws {
        let text = bucket.json.serialized()
        try await call("create bucket '\(bucket.id)'") { api, host, error in
            api.ensure_bucket?(host, text, error) ?? Int32(AW_UNAVAILABLE.rawValue)
        }
    }

    func heartbeat(_ event: Event, bucketID: String, pulsetime: Double) async throws {
        let text = event.json.serialized()
        try await call("heartbeat to '\(bucketID)'") { api, host, error in
            api.heartbeat?(host, bucketID, text, pulsetime, error) ?? Int32(AW_UNAVAILABLE.rawValue)
        }
    }

    func insertEvents(_ events: [Event], bucketID: String) async throws {
        let text = JSON.array(events.map(\.json)).serialized()
        try await call("insert into '\(bucketID)'") { api, host, error in
            api.insert_events?(host, bucketID, text, error) ?? Int32(AW_UNAVAILABLE.rawValue)
        }
    }

    /// Writes one line to the host's log.
    func log(_ level: Logger.Level, _ message: String) {
        let hostLevel: aw_log_level =
            switch level {
            case .trace, .debug: AW_LOG_DEBUG
            case .info, .notice: AW_LOG_INFO
            case .warning: AW_LOG_WARNING
            case .error, .critical: AW_LOG_ERROR
            }
        api.pointee.log?(host, Int32(hostLevel.rawValue), message)
    }

    private func call(
        _ what: String,
        _ body:
            @escaping @Sendable (aw_host_api, OpaquePointer, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) ->
            Int32
    ) async throws {
        let handle = Handle(api: api.pointee, host: host)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async {
                var message: UnsafeMutablePointer<CChar>?
                let status = body(handle.api, handle.host, &message)
                let reason = message.map { String(cString: $0) }
                free(message)
                if status == Int32(AW_OK.rawValue) {
                    continuation.resume()
                } else {
                    continuation.resume(
                        throwing: HostCallError(
                            what: what, reason: reason ?? "status \(status)",
                            isPermanent: status == Int32(AW_INVALID.rawValue)))
                }
            }
        }
    }
}

/// The host's table and handle, carried to the queue (they are the host's and only read).
private struct Handle: @unchecked Sendable {
    let api: aw_host_api
    let host: OpaquePointer
}

/// A call to the host that the server refused or could not record.
public struct HostCallError: Error, Sendable, CustomStringConvertible {
    /// What was asked, e.g. "heartbeat to 'aw-watcher-git_host'".
    public var what: String
    /// The host's message.
    public var reason: String
    /// Whether repeating the call cannot help (`AW_INVALID`), rather than "not now".
    public var isPermanent: Bool

    public var description: String { "cannot \(what): \(reason)" }
}

/// A swift-log handler writing to the host's log; the host adds the module's label and applies
/// its own level.
struct HostLogHandler: LogHandler {
    let connection: HostConnection
    var logLevel: Logger.Level = .debug
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let suffix =
            merged.isEmpty
            ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        connection.log(event.level, "\(event.message)\(suffix)")
    }
}
