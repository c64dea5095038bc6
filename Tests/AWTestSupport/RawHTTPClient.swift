import Foundation
import Glibc

/// A response read off the wire by `RawHTTPClient`.
public struct RawHTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Header names (lowercased) and values.
    public var headers: [String: String]
    /// The body as text.
    public var body: String
}

/// A deliberately minimal HTTP/1.1 client over a plain TCP socket, for tests that must control
/// every byte of a request (Host header, raw paths) against a live server.
public enum RawHTTPClient {
    /// Sends a request to 127.0.0.1:`port` and reads the response until the server closes the
    /// connection, waiting at most `timeout` seconds for each read. The blocking socket I/O runs
    /// on its own thread, never on the task pool that an in-process server needs to answer.
    public static func send(
        port: Int, method: String, path: String, headers: [String: String] = [:], body: String? = nil,
        timeout: Int = 10
    ) async throws -> RawHTTPResponse {
        var lines = ["\(method) \(path) HTTP/1.1"]
        var allHeaders = headers
        if allHeaders.keys.first(where: { $0.lowercased() == "host" }) == nil {
            allHeaders["Host"] = "127.0.0.1:\(port)"
        }
        allHeaders["Connection"] = "close"
        if let body { allHeaders["Content-Length"] = "\(body.utf8.count)" }
        for (name, value) in allHeaders.sorted(by: { $0.key < $1.key }) where !value.isEmpty {
            lines.append("\(name): \(value)")
        }
        let text = lines.joined(separator: "\r\n") + "\r\n\r\n" + (body ?? "")
        let request = Array(text.utf8)
        let raw = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8], any Error>) in
            Thread.detachNewThread {
                continuation.resume(with: Result { try exchange(port: port, request: request, timeout: timeout) })
            }
        }
        return try parse(raw)
    }

    public static func exchange(port: Int, request: [UInt8], timeout seconds: Int = 10) throws -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < request.count {
            let written = request[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw POSIXError(.EPIPE) }
            sent += written
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            response.append(contentsOf: buffer[0..<count])
        }
        return response
    }

    static func parse(_ raw: [UInt8]) throws -> RawHTTPResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard
            let split = (0...max(0, raw.count - 4)).first(where: {
                raw[$0..<min(raw.count, $0 + 4)].elementsEqual(separator)
            })
        else { throw POSIXError(.EBADMSG) }
        let head = String(decoding: raw[..<split], as: UTF8.self).split(separator: "\r\n").map(String.init)
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw POSIXError(.EBADMSG) }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        var body = Array(raw[(split + 4)...])
        if headers["transfer-encoding"] == "chunked" { body = dechunk(body) }
        return RawHTTPResponse(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var position = 0
        while let lineEnd = (position..<max(position, bytes.count - 1)).first(where: {
            bytes[$0] == 13 && bytes[$0 + 1] == 10
        }),
            let size = Int(String(decoding: bytes[position..<lineEnd], as: UTF8.self), radix: 16), size > 0,
            lineEnd + 2 + size <= bytes.count
        {
            result += bytes[(lineEnd + 2)..<(lineEnd + 2 + size)]
            position = lineEnd + 2 + size + 2
        }
        return result
    }
}
