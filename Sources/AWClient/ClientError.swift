/// Why a request to an ActivityWatch server failed.
public enum ClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server could not be reached (refused, timed out, connection lost).
    case unreachable(url: String, reason: String)
    /// The server answered with an error status and, usually, a message.
    case http(status: Int, message: String, path: String)
    /// The answer was not what the API promises.
    case invalidResponse(path: String, reason: String)
    /// Another process of the same client holds the request queue.
    case queueInUse(path: String)
    /// The request queue on disk cannot be used.
    case queueUnavailable(path: String, reason: String)
    /// A local file to send or write cannot be used.
    case file(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreachable(let url, let reason): "cannot reach the server at \(url): \(reason)"
        case .http(let status, let message, let path): "\(path): \(message) (HTTP \(status))"
        case .invalidResponse(let path, let reason): "\(path): unexpected answer from the server: \(reason)"
        case .queueInUse(let path): "another instance of this client is running (it holds \(path))"
        case .queueUnavailable(let path, let reason): "cannot use the request queue \(path): \(reason)"
        case .file(let path, let reason): "\(path): \(reason)"
        }
    }

    /// Whether trying again later may succeed: the server was unreachable or failed (5xx).
    public var isTransient: Bool {
        switch self {
        case .unreachable: true
        case .http(let status, _, _): status >= 500 || status == 408 || status == 429
        default: false
        }
    }
}
