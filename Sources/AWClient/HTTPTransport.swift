import AWCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// Sends requests to one ActivityWatch server and turns error answers into `ClientError`s.
struct HTTPTransport: Sendable {
    /// `http://host:port` or `https://host:port`.
    let baseURL: String
    let apiKey: String?
    let timeout: TimeAmount
    let client: HTTPClient

    /// The largest answer read (exports of big databases).
    static let maximumResponseBytes = 4 << 30

    /// One HTTP client for the process. A refused connection fails at once instead of being
    /// retried until the request's deadline: the request queue has its own back-off, and a
    /// command-line user wants the answer now.
    static let sharedClient = makeClient(trusting: nil)

    /// One client per file of trusted certificate authorities, for HTTPS servers whose
    /// certificate a private authority signed; kept for the process, as the shared one is.
    private static let clientsTrusting = Mutex<[String: HTTPClient]>([:])

    /// A client with the shared one's settings that trusts the authorities in `caFile` (PEM)
    /// instead of the system's when it is given.
    private static func makeClient(trusting caFile: String?) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        if let caFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(caFile)
            configuration.tlsConfiguration = tls
        }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The client for `caFile`: the shared one without.
    private static func client(trusting caFile: String?) -> HTTPClient {
        guard let caFile else { return sharedClient }
        return clientsTrusting.withLock { clients in
            if let client = clients[caFile] { return client }
            let client = makeClient(trusting: caFile)
            clients[caFile] = client
            return client
        }
    }

    init(
        host: String, port: Int, https: Bool = false, caFile: String? = nil, apiKey: String?,
        timeout: TimeAmount = .seconds(30)
    ) {
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        baseURL = "\(https ? "https" : "http")://\(bracketed):\(port)"
        self.apiKey = apiKey
        self.timeout = timeout
        client = Self.client(trusting: https ? caFile : nil)
    }

    /// Sends a request to `path` (which starts with `/api/0/`) and returns the status and body
    /// of a successful answer.
    ///
    /// - Throws: `ClientError.unreachable` when the server cannot be reached, `.http` for a 4xx
    ///   or 5xx answer (with the server's message).
    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil) async throws(ClientError) -> (
        status: Int, body: [UInt8]
    ) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        authorize(&request)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return try await execute(request, path: path, timeout: timeout)
    }

    /// Sends `request` and reads the whole answer; an error status becomes `ClientError.http`.
    ///
    /// With `replayable` (a body in memory), a request that met a pooled connection the server had
    /// already closed is sent once more on a new one: it never reached the server.
    private func execute(
        _ request: HTTPClientRequest, path: String, timeout: TimeAmount, replayable: Bool = true
    ) async throws(ClientError) -> (status: Int, body: [UInt8]) {
        var retried = !replayable
        while true {
            let status: Int
            let bytes: [UInt8]
            do {
                let response = try await client.execute(request, timeout: timeout)
                status = Int(response.status.code)
                var buffer = try await response.body.collect(upTo: Self.maximumResponseBytes)
                bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            } catch ChannelError.ioOnClosedChannel where !retried {
                retried = true
                continue
            } catch {
                throw .unreachable(url: baseURL, reason: Self.describe(error))
            }
            guard status < 400 else { throw Self.error(status: status, body: bytes, path: path) }
            return (status, bytes)
        }
    }

    /// `GET`s `path` and writes the answer's body to `file` as it arrives; the number of bytes.
    ///
    /// - Throws: `ClientError` as `send` does, `.file` when the file cannot be written.
    func download(_ path: String, to file: FileHandle) async throws(ClientError) -> Int {
        var request = HTTPClientRequest(url: baseURL + path)
        authorize(&request)
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeout)
        } catch {
            throw .unreachable(url: baseURL, reason: Self.describe(error))
        }
        let status = Int(response.status.code)
        var written = 0
        do {
            if status >= 400 {
                var buffer = try await response.body.collect(upTo: 1 << 20)
                throw Self.error(status: status, body: buffer.readBytes(length: buffer.readableBytes) ?? [], path: path)
            }
            for try await chunk in response.body {
                try file.write(contentsOf: Data(chunk.readableBytesView))
                written += chunk.readableBytes
            }
        } catch let error as ClientError {
            throw error
        } catch let error as HTTPClientError {
            throw .unreachable(url: baseURL, reason: Self.describe(error))
        } catch {
            throw .file(path: "the output file", reason: "cannot write: \(error)")
        }
        return written
    }

    /// `POST`s the JSON file `file` (`size` bytes) to `path`, read and sent in chunks;
    /// `progress` is told the bytes sent so far after each chunk.
    func upload(
        _ path: String, file: FileHandle, size: Int, progress: @escaping @Sendable (Int) -> Void
    ) async throws(ClientError) -> [UInt8] {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        authorize(&request)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .stream(FileChunks(file: file, progress: progress), length: .known(Int64(size)))
        return try await execute(request, path: path, timeout: .hours(1), replayable: false).body
    }

    private func authorize(_ request: inout HTTPClientRequest) {
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
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
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connection timed out"
            case .deadlineExceeded, .readTimeout: return "no answer in time"
            case .remoteConnectionClosed: return "the connection was closed"
            default: return "\(error)"
            }
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

/// A file read in 1 MiB chunks, for a streamed request body.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let file: FileHandle
    let progress: @Sendable (Int) -> Void

    struct AsyncIterator: AsyncIteratorProtocol {
        let file: FileHandle
        let progress: @Sendable (Int) -> Void
        var sent = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let data = try file.read(upToCount: 1 << 20), !data.isEmpty else { return nil }
            sent += data.count
            progress(sent)
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(file: file, progress: progress) }
}
