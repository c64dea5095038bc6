import AWCore
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Sends requests to one ActivityWatch server and turns error answers into `ClientError`s.
struct HTTPTransport: Sendable {
    /// `http://host:port` or `https://host:port`.
    let baseURL: String
    let apiKey: String?
    let timeout: TimeAmount
    private let connections: HTTPConnectionPool
    /// The `Host` header: the host (bracketed when an IPv6 address) and the port.
    private let authority: String

    /// The largest answer read (exports of big databases).
    static let maximumResponseBytes = 4 << 30

    /// The connection pools of the process, one per server and trust: clients of the same
    /// server share connections.
    private static let pools = Mutex<[String: HTTPConnectionPool]>([:])

    init(
        host: String, port: Int, https: Bool = false, caFile: String? = nil, apiKey: String?,
        timeout: TimeAmount = .seconds(30)
    ) {
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let plainHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        authority = "\(bracketed):\(port)"
        baseURL = "\(https ? "https" : "http")://\(authority)"
        self.apiKey = apiKey
        self.timeout = timeout
        let key = "\(baseURL) \(https ? caFile ?? "system" : "")"
        connections = Self.pools.withLock { pools in
            if let pool = pools[key] { return pool }
            let pool = HTTPConnectionPool(host: plainHost, port: port, https: https, caFile: caFile)
            pools[key] = pool
            return pool
        }
    }

    /// Sends a request to `path` (which starts with `/api/0/`) and returns the status and body
    /// of a successful answer.
    ///
    /// - Throws: `ClientError.unreachable` when the server cannot be reached, `.http` for a 4xx
    ///   or 5xx answer (with the server's message).
    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil) async throws(ClientError) -> (
        status: Int, body: [UInt8]
    ) {
        let answer = try await exchange(
            method, path, contentLength: body?.count, body: body.map { .bytes($0) }, timeout: timeout)
        return (answer.status, answer.body)
    }

    /// `GET`s `path` and writes the answer's body to `file` as it arrives; the number of bytes.
    ///
    /// - Throws: `ClientError` as `send` does, `.file` when the file cannot be written.
    func download(_ path: String, to file: FileHandle) async throws(ClientError) -> Int {
        let written = Mutex(0)
        _ = try await exchange(.GET, path, timeout: timeout) { chunk in
            try file.write(contentsOf: Data(chunk.readableBytesView))
            written.withLock { $0 += chunk.readableBytes }
        }
        return written.withLock { $0 }
    }

    /// `POST`s the JSON file `file` (`size` bytes) to `path`, read and sent in chunks;
    /// `progress` is told the bytes sent so far after each chunk.
    func upload(
        _ path: String, file: FileHandle, size: Int, progress: @escaping @Sendable (Int) -> Void
    ) async throws(ClientError) -> [UInt8] {
        try await exchange(
            .POST, path, contentLength: size, body: .file(file, progress: progress), timeout: .hours(1)
        ).body
    }

    /// Sends one request and reads its answer; an error status becomes `ClientError.http`, a
    /// failure to reach the server `.unreachable`.
    private func exchange(
        _ method: HTTPMethod, _ path: String, contentLength: Int? = nil, body: RequestBody? = nil,
        timeout: TimeAmount, sink: (@Sendable (ByteBuffer) throws -> Void)? = nil
    ) async throws(ClientError) -> HTTPAnswer {
        var headers: HTTPHeaders = ["Host": authority, "User-Agent": "aw-client-swift/\(ProductVersion.number)"]
        if let apiKey { headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        if let contentLength {
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(contentLength))
        } else if method != .GET {
            headers.add(name: "Content-Length", value: "0")
        }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
        let answer: HTTPAnswer
        do {
            answer = try await connections.exchange(
                head, body: body, timeout: timeout, limit: sink == nil ? Self.maximumResponseBytes : 1 << 20, sink: sink
            )
        } catch ExchangeFailure.sinkFailed(let error) {
            throw .file(path: "the output file", reason: "cannot write: \(error)")
        } catch ExchangeFailure.bodyUnreadable(let error) {
            throw .file(path: "the file to send", reason: "cannot read: \(error)")
        } catch {
            throw .unreachable(url: baseURL, reason: Self.describe(error))
        }
        guard answer.status < 400 else { throw Self.error(status: answer.status, body: answer.body, path: path) }
        return answer
    }

    /// The error for an answer with status `status` ≥ 400: the server's `message` if it sent one.
    private static func error(status: Int, body: [UInt8], path: String) -> ClientError {
        let message =
            (try? JSON.parse(body))?["message"]?.stringValue ?? String(decoding: body.prefix(300), as: UTF8.self)
        return .http(status: status, message: message.isEmpty ? "HTTP \(status)" : message, path: path)
    }

    /// Sends a request and parses the JSON answer (`null` for an empty body).
    func json(_ method: HTTPMethod, _ path: String, body: JSON? = nil) async throws(ClientError) -> JSON {
        let (_, bytes) = try await send(method, path, body: body.map { Array($0.serialized().utf8) })
        guard !bytes.isEmpty else { return .null }
        do {
            return try JSON.parse(bytes)
        } catch {
            throw .invalidResponse(path: path, reason: "\(error)")
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case ExchangeFailure.closed: return "the connection was closed"
        case ExchangeFailure.timedOut: return "no answer in time"
        case ExchangeFailure.tooLarge(let limit): return "the answer is larger than \(limit) bytes"
        case ExchangeFailure.noTLS:
            return
                "this build has no HTTPS (it was built without the TLS trait, as scripts/run.sh builds it); build it with `scripts/release-build.sh aw-server aw`, or install the Debian package or the tarball"
        case ChannelError.connectTimeout: return "connection timed out"
        case ExchangeFailure.handshakeTimedOut:
            return
                "no TLS handshake within \(HTTPConnectionPool.connectTimeout.nanoseconds / 1_000_000_000) s (does the server speak HTTPS?)"
        default: break
        }
        let text = "\(error)"
        if text.contains("refused") || text.contains("ECONNREFUSED") { return "connection refused" }
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "the server's certificate is not signed by a trusted authority (ca_file in aw-client.toml names one)"
        }
        if text.contains("failedToValidateHostname") { return "the server's certificate is for another host name" }
        if text.contains("WRONG_VERSION_NUMBER") { return "the server does not speak HTTPS" }
        return text
    }
}
