import AWCore
import Foundation
import Glibc
import Synchronization
import Testing

@testable import AWClient

/// The client's connections, against a server that plays a script: what a watcher meets behind a
/// proxy that closes idle connections, a server that answers slowly or not at all.
@Suite("Client: connections kept open, closed under it, answers of every framing")
struct ConnectionTests {
    @Test("requests one after another share one connection")
    func reuse() async throws {
        let server = try ScriptedHTTPServer { _, _ in .json(#"{"hostname": "scripted"}"#) }
        defer { server.stop() }
        let transport = HTTPTransport(host: "127.0.0.1", port: server.port, apiKey: nil)
        for _ in 0..<20 {
            #expect(try await transport.json(.GET, "/api/0/info")["hostname"]?.stringValue == "scripted")
        }
        #expect(server.requestLines == [Array(repeating: "GET /api/0/info HTTP/1.1", count: 20)])
    }

    @Test(
        "a request that meets a kept connection the server then closes unanswered goes again on a new one; an upload does not"
    )
    func closedUnderTheRequest() async throws {
        // Every connection answers its first request and closes on the second without a word,
        // as a proxy does when its idle timeout and the request cross.
        let server = try ScriptedHTTPServer { _, request in request == 0 ? .json("{}") : .closeUnanswered }
        defer { server.stop() }
        let transport = HTTPTransport(host: "127.0.0.1", port: server.port, apiKey: nil)
        _ = try await transport.send(.POST, "/api/0/buckets/b/heartbeat?pulsetime=60", body: Array("{}".utf8))
        _ = try await transport.send(.POST, "/api/0/buckets/b/heartbeat?pulsetime=60", body: Array("{}".utf8))
        let heartbeat = "POST /api/0/buckets/b/heartbeat?pulsetime=60 HTTP/1.1"
        #expect(server.requestLines == [[heartbeat, heartbeat], [heartbeat]])

        // A file read as it is sent cannot be sent twice: the failure is reported.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(UUID()).json").path
        FileManager.default.createFile(atPath: path, contents: Data(#"{"buckets": {}}"#.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try #require(FileHandle(forReadingAtPath: path))
        await #expect {
            try await transport.upload("/api/0/import", file: file, size: 15) { _ in }
        } throws: { error in
            guard case ClientError.unreachable(_, let reason) = error else { return false }
            return reason == "the connection was closed"
        }
        #expect(server.requestLines == [[heartbeat, heartbeat], [heartbeat, "POST /api/0/import HTTP/1.1"]])
    }

    @Test("an answer ended by closing the connection, and one after a 100 Continue, are read whole")
    func framings() async throws {
        let server = try ScriptedHTTPServer { connection, _ in
            connection == 0 ? .closeDelimited(#"{"framing": "close"}"#) : .afterContinue(#"{"framing": "1xx"}"#)
        }
        defer { server.stop() }
        let transport = HTTPTransport(host: "127.0.0.1", port: server.port, apiKey: nil)
        #expect(try await transport.json(.GET, "/api/0/info")["framing"]?.stringValue == "close")
        #expect(try await transport.json(.GET, "/api/0/info")["framing"]?.stringValue == "1xx")
        #expect(try await transport.json(.GET, "/api/0/info")["framing"]?.stringValue == "1xx")
        #expect(server.requestLines.map(\.count) == [1, 2])
    }

    @Test("a server that takes the request and never answers fails it at the deadline, saying so")
    func silence() async throws {
        let server = try ScriptedHTTPServer { _, _ in .silence }
        defer { server.stop() }
        let transport = HTTPTransport(host: "127.0.0.1", port: server.port, apiKey: nil, timeout: .milliseconds(300))
        await #expect {
            try await transport.json(.GET, "/api/0/info")
        } throws: { error in
            guard case ClientError.unreachable(_, let reason) = error else { return false }
            return reason == "no answer in time"
        }
    }

    @Test("an https URL for a server that never answers the TLS handshake fails after the connection's time, saying so")
    func silentHandshake() async throws {
        let server = try ScriptedHTTPServer { _, _ in .silence }
        defer { server.stop() }
        let transport = HTTPTransport(host: "127.0.0.1", port: server.port, https: true, apiKey: nil)
        let started = ContinuousClock.now
        await #expect {
            try await transport.json(.GET, "/api/0/info")
        } throws: { error in
            guard case ClientError.unreachable(_, let reason) = error else { return false }
            return reason == "no TLS handshake within 5 s (does the server speak HTTPS?)"
        }
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(server.requestLines == [[]])
    }
}

/// A loopback server speaking just enough HTTP/1.1 to play a script: for the `request`-th
/// request on the `connection`-th connection (both from 0), the script says how to answer.
final class ScriptedHTTPServer: Sendable {
    /// How to answer one request.
    enum Reply: Sendable {
        /// 200 with a JSON body and its length; the connection stays open.
        case json(String)
        /// 200 with a JSON body and no length, ended by closing the connection.
        case closeDelimited(String)
        /// 100 Continue, then 200 with a JSON body and its length.
        case afterContinue(String)
        /// The connection is closed without an answer.
        case closeUnanswered
        /// No answer; the connection stays open.
        case silence
    }

    let port: Int
    private let listener: Int32
    private let script: @Sendable (_ connection: Int, _ request: Int) -> Reply
    private let received = Mutex<[[String]]>([])

    /// The request lines received, one list per connection, in the order they were accepted.
    var requestLines: [[String]] { received.withLock { $0 } }

    init(script: @escaping @Sendable (_ connection: Int, _ request: Int) -> Reply) throws {
        self.script = script
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(listener, address, length) == 0 && listen(listener, 16) == 0
                    && getsockname(listener, address, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { self.acceptConnections() }
    }

    /// Stops accepting connections.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptConnections() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            let index = received.withLock { lines in
                lines.append([])
                return lines.count - 1
            }
            Thread.detachNewThread { self.serve(connection, index: index) }
        }
    }

    private func serve(_ connection: Int32, index: Int) {
        defer { close(connection) }
        var buffered: [UInt8] = []
        var request = 0
        while let line = Self.readRequest(connection, buffered: &buffered) {
            received.withLock { $0[index].append(line) }
            switch script(index, request) {
            case .json(let body): Self.send(connection, "HTTP/1.1 200 OK\r\n", body: body, length: true)
            case .afterContinue(let body):
                Self.send(connection, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n", body: body, length: true)
            case .closeDelimited(let body):
                Self.send(connection, "HTTP/1.1 200 OK\r\nConnection: close\r\n", body: body, length: false)
                return
            case .closeUnanswered: return
            case .silence: break
            }
            request += 1
        }
    }

    private static func send(_ connection: Int32, _ start: String, body: String, length: Bool) {
        let headers = "Content-Type: application/json\r\n" + (length ? "Content-Length: \(body.utf8.count)\r\n" : "")
        let bytes = Array((start + headers + "\r\n" + body).utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads one request (head and `Content-Length` body) and returns its request line; nil
    /// when the client closed the connection.
    private static func readRequest(_ connection: Int32, buffered: inout [UInt8]) -> String? {
        let end = Array("\r\n\r\n".utf8)
        while true {
            if let headEnd = buffered.indices.first(where: { buffered[$0...].starts(with: end) }) {
                let head = String(decoding: buffered[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
                let length =
                    head.lazy.compactMap { line -> Int? in
                        let parts = line.split(separator: ":", maxSplits: 1)
                        guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                        return Int(parts[1].trimmingCharacters(in: .whitespaces))
                    }.first ?? 0
                let total = headEnd + end.count + length
                if buffered.count >= total {
                    buffered.removeFirst(total)
                    return head[0]
                }
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            buffered.append(contentsOf: chunk[..<count])
        }
    }
}
