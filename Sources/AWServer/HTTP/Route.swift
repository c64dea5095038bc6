import AWCore
import Foundation
import Hummingbird
import NIOCore

/// One endpoint: a method and a path pattern whose `{}` segments become parameters.
struct Route: Sendable {
    /// A path segment of a pattern.
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter
    }

    let method: HTTPRequest.Method
    /// The path as written, e.g. `/api/0/buckets/{}/events`.
    let path: String
    let pattern: [Segment]
    let handler: @Sendable (APIRequest) async throws -> Response

    /// Creates a route from a path such as `/api/0/buckets/{}/events`.
    init(
        _ method: HTTPRequest.Method, _ path: String,
        _ handler: @escaping @Sendable (APIRequest) async throws -> Response
    ) {
        self.method = method
        self.path = path
        self.pattern = path.split(separator: "/").map { $0 == "{}" ? .parameter : .literal(String($0)) }
        self.handler = handler
    }

    /// The parameters when `segments` fit the pattern.
    func match(_ segments: [String]) -> [String]? {
        guard segments.count == pattern.count else { return nil }
        var parameters: [String] = []
        for (segment, expected) in zip(segments, pattern) {
            switch expected {
            case .literal(let literal): if segment != literal { return nil }
            case .parameter: parameters.append(segment)
            }
        }
        return parameters
    }
}

/// A request as a controller sees it: path parameters, query parameters, and the body.
struct APIRequest: Sendable {
    let request: Request
    /// The values of the route's `{}` segments, percent-decoded.
    let parameters: [String]
    /// The largest body accepted.
    let bodyLimit: Int

    /// A query parameter, percent-decoded; `nil` when absent.
    func query(_ name: String) -> String? {
        request.uri.queryParameters[name[...]].map(String.init)
    }

    /// A query parameter that must be an integer, if present.
    func integerQuery(_ name: String) throws(APIError) -> Int? {
        guard let text = query(name), !text.isEmpty else { return nil }
        guard let value = Int(text) else {
            throw .badRequest("query parameter '\(name)' must be an integer, got '\(text)'")
        }
        return value
    }

    /// A query parameter that must be a timestamp, if present.
    ///
    /// A `+` of a UTC offset that arrived as a space (an unencoded `+` in a URL) is read back as `+`.
    func timestampQuery(_ name: String) throws(APIError) -> Timestamp? {
        guard let text = query(name), !text.isEmpty else { return nil }
        do {
            return try Timestamp(rfc3339: text)
        } catch {
            if let space = text.lastIndex(of: " "), text.firstIndex(of: " ") != space || text.contains("T") {
                var repaired = text
                repaired.replaceSubrange(space...space, with: "+")
                if let timestamp = try? Timestamp(rfc3339: repaired) { return timestamp }
            }
            throw .badRequest("query parameter '\(name)': \(error.description)")
        }
    }

    /// The raw body, refusing more than `bodyLimit` bytes.
    func body() async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > bodyLimit {
            throw APIError(
                .contentTooLarge, "request body of \(length) bytes is larger than the limit of \(bodyLimit) bytes")
        }
        do {
            return try await request.body.collect(upTo: bodyLimit)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "request body is larger than the limit of \(bodyLimit) bytes")
        }
    }

    /// The body parsed as JSON.
    ///
    /// - Throws: `APIError` 400 when the body is empty or not JSON, 413 when too large.
    func json() async throws -> JSON {
        let buffer = try await nonEmptyBody()
        return try buffer.withUnsafeReadableBytes { bytes throws(JSONParseError) in try JSON.parse(bytes) }
    }

    /// The body read as one event object.
    func event() async throws -> Event {
        let buffer = try await nonEmptyBody()
        return try Self.thrownApart(
            buffer.withUnsafeReadableBytes { bytes in
                Result { () throws(EventDecodingError) in try Event.decode(from: bytes) }
            })
    }

    /// Stores the body's events (an array of events, or a single event object) in the bucket
    /// named by `bucketID`, their data kept as canonical JSON text; storing begins on the first
    /// events while the rest are still being read. Returns the stored events with their ids.
    ///
    /// - Throws: as `event()` does for a body that is not events (then nothing is stored), or a
    ///   `DatastoreError`.
    func storeEncodedEvents(bucketID: String, in api: ServerAPI) async throws -> [EncodedEvent] {
        let buffer = try await nonEmptyBody()
        let outcome = try await api.createEvents(bucketID: bucketID) { feed throws(EventDecodingError) in
            try buffer.withUnsafeReadableBytes { bytes in
                Result { () throws(EventDecodingError) in try feed.decode(bytes) }
            }
            .get()
        }
        return try Self.thrownApart(outcome)
    }

    /// The body, which must not be empty.
    private func nonEmptyBody() async throws -> ByteBuffer {
        let buffer = try await body()
        if buffer.readableBytes == 0 { throw APIError.badRequest("request body is empty, expected JSON") }
        return buffer
    }

    /// A decoding outcome's value, or its syntax or shape error thrown as itself (each has its
    /// own answer).
    private static func thrownApart<T>(_ result: Result<T, EventDecodingError>) throws -> T {
        switch result {
        case .success(let value): return value
        case .failure(.syntax(let error)): throw error
        case .failure(.shape(let error)): throw error
        }
    }

    /// The `Content-Type` header, lowercased, without parameters.
    var mediaType: String {
        let value = request.headers[.contentType] ?? ""
        return value.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }
}

/// The segments of a request path: empty segments dropped (`//api//0/` is `/api/0`),
/// each percent-decoded (so a bucket id may contain an encoded `/`).
func pathSegments(_ path: String) -> [String]? {
    var segments: [String] = []
    segments.reserveCapacity(6)
    var path = path
    return path.withUTF8 { bytes -> [String]? in
        var start = 0
        for position in 0...bytes.count where position == bytes.count || bytes[position] == UInt8(ascii: "/") {
            if position > start {
                guard let segment = percentDecoded(UnsafeBufferPointer(rebasing: bytes[start..<position])) else {
                    return nil
                }
                segments.append(segment)
            }
            start = position + 1
        }
        return segments
    }
}

/// Percent-decodes UTF-8 text; `nil` for a malformed escape or invalid UTF-8.
func percentDecoded(_ text: UnsafeBufferPointer<UInt8>) -> String? {
    guard text.contains(UInt8(ascii: "%")) else { return String(validating: text, as: UTF8.self) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.count)
    var index = 0
    while index < text.count {
        if text[index] == UInt8(ascii: "%") {
            guard index + 2 < text.count, let high = hexValue(text[index + 1]), let low = hexValue(text[index + 2])
            else { return nil }
            bytes.append(high << 4 | low)
            index += 3
        } else {
            bytes.append(text[index])
            index += 1
        }
    }
    return String(validating: bytes, as: UTF8.self)
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
}
