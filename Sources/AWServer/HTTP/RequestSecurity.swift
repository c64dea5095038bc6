import Foundation
import HTTPTypes
import Hummingbird

/// The checks every request passes before it reaches an endpoint, in aw-server-rust's order:
/// CORS origin, then Host header (DNS-rebinding protection while bound to loopback), then the
/// API key. Also adds the CORS and hardening headers to responses.
struct RequestSecurity: Sendable {
    /// Exact origins allowed to call the API from a web page.
    let allowedOrigins: Set<String>
    /// Origin patterns (whole-match regular expressions) allowed likewise.
    let allowedOriginPatterns: [String]
    /// Whether the Host header must name loopback.
    let checkHost: Bool
    /// The `Authorization` values that open the API (`Bearer <key>` for the API key and each
    /// device key); none when no key is required.
    let acceptedAuthorizations: [String]

    /// The ActivityWatch browser extension, as aw-server-rust allows it.
    static let chromeExtensionOrigin = "chrome-extension://nglaklhklhcoonedhgnpgddginnjdadi"

    init(configuration: ServerConfiguration) {
        var origins: Set<String> = [
            "http://127.0.0.1:\(configuration.port)", "http://localhost:\(configuration.port)",
            Self.chromeExtensionOrigin,
        ]
        var patterns = ["moz-extension://[^/]*"]
        if configuration.testing {
            origins.formUnion(["http://127.0.0.1:27180", "http://localhost:27180"])
            patterns.append("chrome-extension://[^/]*")
        }
        origins.formUnion(configuration.corsOrigins)
        patterns.append(contentsOf: configuration.corsOriginPatterns)
        allowedOrigins = origins
        allowedOriginPatterns = patterns
        checkHost = configuration.isLoopbackOnly
        acceptedAuthorizations = configuration.acceptedKeys.map { "Bearer \($0)" }
    }

    /// Whether a browser page from `origin` may call the API. A page served by this very server
    /// (its origin names the host the request was sent to) is always allowed.
    func allows(origin: String, host: String?) -> Bool {
        if allowedOrigins.contains(origin) { return true }
        if let host, origin == "http://\(host)" { return true }
        return allowedOriginPatterns.contains { pattern in
            (try? Regex(pattern).wholeMatch(in: origin)) != nil
        }
    }

    /// Checks origin, Host and API key.
    ///
    /// - Throws: `APIError` 403 for a foreign origin, 400 for a foreign Host, 401 for a missing
    ///   or wrong API key.
    func check(_ request: Request, segments: [String]) throws(APIError) {
        if let origin = request.headers[.origin], !allows(origin: origin, host: request.head.authority) {
            throw APIError(
                .forbidden,
                "origin '\(origin)' is not allowed to use this server; add it to 'cors' in the server's config.toml"
            )
        }
        if checkHost {
            guard let authority = request.head.authority else {
                throw .badRequest("the Host header is missing")
            }
            guard Self.isLoopback(authority: authority) else {
                throw .badRequest(
                    "the Host header '\(authority)' is not allowed: this server only answers to localhost and 127.0.0.1"
                )
            }
        }
        if !acceptedAuthorizations.isEmpty, request.method != .options, segments.first == "api",
            segments != ["api", "0", "info"]
        {
            let header = request.headers[.authorization] ?? ""
            // Every key is compared, so the time taken does not tell which one came close.
            let matches = acceptedAuthorizations.map { Self.constantTimeEquals(header, $0) }
            guard matches.contains(true) else {
                throw APIError(.unauthorized, "missing or invalid API key; send 'Authorization: Bearer <key>'")
            }
        }
    }

    /// Whether a Host header value names this machine's loopback interface.
    static func isLoopback(authority: String) -> Bool {
        var host = Substring(authority)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            host = host[host.index(after: host.startIndex)..<close]
            return host == "::1"
        }
        if let colon = host.firstIndex(of: ":") { host = host[..<colon] }
        return host == "127.0.0.1" || host.lowercased() == "localhost"
    }

    /// Compares two strings in time that depends only on their lengths.
    static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            difference |= a ^ b
        }
        return difference == 0
    }

    /// The answer to a CORS preflight (`OPTIONS` with `Origin`), or to a plain `OPTIONS`:
    /// `methods` are those the path supports.
    func preflight(_ request: Request, methods: [String]) -> Response {
        var response = Response.empty(.ok)
        response.headers[.allow] = (methods + ["OPTIONS"]).joined(separator: ", ")
        if request.headers[.origin] != nil {
            response.headers[.accessControlAllowMethods] = methods.joined(separator: ", ")
            if let requested = request.headers[.accessControlRequestHeaders] {
                response.headers[.accessControlAllowHeaders] = requested
            }
            response.headers[.accessControlMaxAge] = "600"
        }
        return response
    }

    /// Adds CORS headers for an allowed origin, and hardening headers to every response.
    func decorate(_ response: inout Response, for request: Request) {
        if let origin = request.headers[.origin], allows(origin: origin, host: request.head.authority) {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.vary] = "Origin"
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.xFrameOptions] = "SAMEORIGIN"
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
}
