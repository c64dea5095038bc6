import AWCore
import AWTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import AWServer

@Suite("REST: security, routing and limits")
struct SecurityTests {
    @Test("while bound to loopback, only loopback Host headers are answered (live socket)")
    func hostCheck() async throws {
        try await TestServer().withLiveServer { (port) async throws in
            for host in ["127.0.0.1:\(port)", "localhost:\(port)", "localhost", "[::1]:\(port)"] {
                #expect(
                    try await RawHTTPClient.send(
                        port: port, method: "GET", path: "/api/0/info", headers: ["Host": host]
                    ).status == 200, "\(host)")
            }
            let rebinding = try await RawHTTPClient.send(
                port: port, method: "GET", path: "/api/0/info", headers: ["Host": "attacker.example:\(port)"])
            #expect(rebinding.status == 400)
            #expect(rebinding.body.contains("Host header 'attacker.example:\(port)' is not allowed"))
        }
    }

    @Test("responses carry an RFC 9110 Date header for the current second (live socket)")
    func dateHeader() async throws {
        #expect(HTTPDateHeader.format(secondsSince1970: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDateHeader.format(secondsSince1970: 1_709_251_199) == "Thu, 29 Feb 2024 23:59:59 GMT")
        try await TestServer().withLiveServer { (port) async throws in
            let before = Int(Date().timeIntervalSince1970)
            let answer = try await RawHTTPClient.send(port: port, method: "GET", path: "/api/0/info", headers: [:])
            let after = Int(Date().timeIntervalSince1970)
            let date = try #require(answer.headers["date"])
            #expect((before...after).map { HTTPDateHeader.format(secondsSince1970: $0) }.contains(date), "\(date)")
        }
    }

    @Test("bound to all interfaces, any Host is answered")
    func noHostCheckOffLoopback() async throws {
        try await TestServer(configuration: ServerConfiguration(testing: true, address: "0.0.0.0", apiKey: "k"))
            .withLiveServer { (port) async throws in
                let answer = try await RawHTTPClient.send(
                    port: port, method: "GET", path: "/api/0/info", headers: ["Host": "myserver.lan"])
                #expect(answer.status == 200)
            }
    }

    @Test("with an API key (or device keys), every /api/ path but /api/0/info needs the bearer token")
    func apiKey() async throws {
        try await TestServer(configuration: ServerConfiguration(testing: true, apiKey: "s3cret")).withClient {
            (client) async throws in
            #expect(try await client.send(.get, "/api/0/info").status == 200)
            let refused = try await client.send(.get, "/api/0/buckets")
            #expect(refused.status == 401)
            #expect(refused.message?.contains("Authorization: Bearer") == true)
            #expect(
                try await client.send(.get, "/api/0/buckets", headers: [.authorization: "Bearer wrong"]).status == 401)
            #expect(
                try await client.send(.get, "/api/0/buckets", headers: [.authorization: "Basic s3cret"]).status == 401)
            #expect(try await client.send(.get, "//api//0/buckets").status == 401)
            #expect(try await client.send(.get, "/api/0/info/../buckets").status == 401)
            #expect(
                try await client.send(.get, "/api/0/buckets", headers: [.authorization: "Bearer s3cret"]).status == 200)
            #expect(try await client.send(.options, "/api/0/buckets").status == 200)
        }
        let devices = ServerConfiguration(testing: true, deviceKeys: ["laptop": "l-key", "desktop": "d-key"])
        try await TestServer(configuration: devices).withClient { (client) async throws in
            for key in ["l-key", "d-key"] {
                #expect(
                    try await client.send(.get, "/api/0/buckets", headers: [.authorization: "Bearer \(key)"]).status
                        == 200)
            }
            #expect(
                try await client.send(.get, "/api/0/buckets", headers: [.authorization: "Bearer x-key"]).status == 401)
            #expect(try await client.send(.get, "/api/0/buckets").status == 401)
        }
        #expect(RequestSecurity.constantTimeEquals("abc", "abc"))
        #expect(!RequestSecurity.constantTimeEquals("abc", "abd"))
        #expect(!RequestSecurity.constantTimeEquals("abc", "abcd"))
    }

    @Test("CORS: allowed origins get headers and preflights; others are refused with 403")
    func cors() async throws {
        let configuration = ServerConfiguration(
            testing: false, port: 5600, corsOrigins: ["http://dash.local"],
            corsOriginPatterns: ["https://.*\\.example\\.org"])
        try await TestServer(configuration: configuration).withClient { (client) async throws in
            for origin in [
                "http://127.0.0.1:5600", "http://localhost:5600", "http://dash.local", "https://a.example.org",
                "moz-extension://1234-abcd", RequestSecurity.chromeExtensionOrigin,
            ] {
                let answer = try await client.send(.get, "/api/0/info", headers: [.origin: origin])
                #expect(answer.status == 200, "\(origin)")
                #expect(answer.headers[.accessControlAllowOrigin] == origin)
                #expect(answer.headers[.vary] == "Origin")
            }
            let preflight = try await client.send(
                .options, "/api/0/buckets/x",
                headers: [
                    .origin: "http://dash.local", .accessControlRequestMethod: "DELETE",
                    .accessControlRequestHeaders: "content-type",
                ])
            #expect(preflight.status == 200)
            #expect(preflight.headers[.accessControlAllowOrigin] == "http://dash.local")
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("DELETE") == true)
            #expect(preflight.headers[.accessControlAllowHeaders] == "content-type")
            #expect(preflight.headers[.allow] == "GET, HEAD, POST, PUT, DELETE, OPTIONS")
            let events = try await client.send(.options, "/api/0/buckets/x/events")
            #expect(events.headers[.allow] == "GET, HEAD, POST, OPTIONS", "only the methods the path supports")
            #expect(try await client.send(.options, "/api/0/info").headers[.allow] == "GET, HEAD, OPTIONS")
            #expect(try await client.send(.options, "/").headers[.allow] == "GET, HEAD, OPTIONS")
            // The literal route wins over the one with a parameter in its place.
            #expect(
                try await client.send(.options, "/api/0/buckets/x/events/count").headers[.allow] == "GET, HEAD, OPTIONS"
            )
            let deleteCount = try await client.send(.delete, "/api/0/buckets/x/events/count")
            #expect(deleteCount.status == 405)
            #expect(deleteCount.headers[.allow] == "GET")
            for origin in [
                "http://evil.example", "https://example.org", "https://a.example.org.evil.com",
                "chrome-extension://other",
            ] {
                let refused = try await client.send(
                    .post, "/api/0/buckets/x", #"{"client":"c","type":"t","hostname":"h"}"#, headers: [.origin: origin])
                #expect(refused.status == 403, "\(origin)")
                #expect(refused.headers[.accessControlAllowOrigin] == nil)
            }
            #expect(try await client.send(.get, "/api/0/buckets/x").status == 404)
            let plain = try await client.send(.get, "/api/0/info")
            #expect(plain.headers[.accessControlAllowOrigin] == nil)
            #expect(plain.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
        }
    }

    @Test("request bodies over the limit get 413 and store nothing")
    func bodyLimit() async throws {
        try await TestServer(configuration: ServerConfiguration(testing: true, requestBodyLimit: 1024)).withClient {
            (client) async throws in
            try await client.send(.post, "/api/0/buckets/b", #"{"client":"c","type":"t","hostname":"h"}"#)
            let big =
                "["
                + Array(repeating: #"{"timestamp":"2020-01-01T00:00:00Z","data":{}}"#, count: 100).joined(
                    separator: ",") + "]"
            let answer = try await client.send(.post, "/api/0/buckets/b/events", big)
            #expect(answer.status == 413)
            #expect(answer.message?.contains("limit of 1024 bytes") == true)
            #expect(try await client.send(.get, "/api/0/buckets/b/events/count").text == "0")
        }
    }

    @Test("paths: empty segments and trailing slashes are ignored; unknown paths 404; wrong methods 405")
    func routing() async throws {
        try await TestServer().withClient { (client) async throws in
            #expect(try await client.send(.get, "//api//0/info/").status == 200)
            let unknown = try await client.send(.get, "/api/0/nothing")
            #expect(unknown.status == 404)
            #expect(unknown.message == "no such endpoint: /api/0/nothing")
            let wrong = try await client.send(.patch, "/api/0/buckets/x")
            #expect(wrong.status == 405)
            #expect(wrong.headers[.allow]?.contains("DELETE") == true)
            let head = try await client.send(.head, "/api/0/info")
            #expect(head.status == 200)
            #expect(head.text.isEmpty)
        }
    }
}

@Suite("REST: hostile bucket ids and error bodies")
struct HostileInputTests {
    /// Ids that look like paths, SQL or markup are stored and returned as plain text.
    static let ids = [
        "a/b", "..", "../../etc/passwd", "nul\u{0}byte", "quote\"d", "it's", "x'; DROP TABLE buckets; --",
        "<script>alert(1)</script>", "percent%41", "space d", "ünïcødé-🙂",
    ]

    static func encoded(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    @Test("bucket ids with /, .., NUL, quotes, SQL and markup are data: created, listed, read, deleted")
    func hostileBucketIDs() async throws {
        try await TestServer().withClient { (client) async throws in
            try await client.send(.post, "/api/0/buckets/keep", #"{"client":"c","type":"t","hostname":"h"}"#)
            for id in Self.ids {
                let path = "/api/0/buckets/\(Self.encoded(id))"
                #expect(
                    try await client.send(.post, path, #"{"client":"c","type":"t","hostname":"h"}"#).status == 200,
                    "\(id)")
                let stored = try await client.send(
                    .post, path + "/events", #"[{"timestamp":"2024-01-01T00:00:00Z","data":{"v":1}}]"#)
                #expect(stored.status == 200, "\(id)")
                let bucket = try JSON.parse(Array(try await client.send(.get, path).text.utf8))
                #expect(bucket["id"] == .string(id))
            }
            let listed = try JSON.parse(Array(try await client.send(.get, "/api/0/buckets").text.utf8))
            #expect(Set(listed.objectValue?.keys.map { $0 } ?? []) == Set(Self.ids + ["keep"]))
            for id in Self.ids {
                #expect(try await client.send(.delete, "/api/0/buckets/\(Self.encoded(id))").status == 200, "\(id)")
            }
            let left = try JSON.parse(Array(try await client.send(.get, "/api/0/buckets").text.utf8))
            #expect(left.objectValue?.keys.sorted() == ["keep"], "only the named buckets were deleted")
        }
    }

    @Test("error bodies carry a message only: no stack traces, source files or database paths")
    func errorBodies() async throws {
        try await TestServer().withClient { (client) async throws in
            let answers = [
                try await client.send(.get, "/api/0/buckets/none"),
                try await client.send(.post, "/api/0/buckets/x", "{not json"),
                try await client.send(.post, "/api/0/query", #"{"timeperiods":["x"],"query":["RETURN = 1;"]}"#),
                try await client.send(
                    .post, "/api/0/query",
                    #"{"timeperiods":["2024-01-01T00:00:00Z/2024-01-02T00:00:00Z"],"query":["RETURN = nope(;"]}"#),
                try await client.send(.get, "/api/0/buckets/x/events?start=yesterday"),
                try await client.send(.get, "/api/0/buckets/x/events/abc"),
                try await client.send(.post, "/api/0/settings/" + String(repeating: "k", count: 200), "1"),
                try await client.send(.get, "/%2E%2E/etc/passwd"),
            ]
            for answer in answers {
                #expect((400..<500).contains(answer.status), "\(answer.status) \(answer.text)")
                let body = try JSON.parse(Array(answer.text.utf8))
                #expect(body["message"] != nil, "\(answer.text)")
                for leak in [".swift", "/tmp/", "/home/", "Fatal error", "Thread ", "0x0000"] {
                    #expect(!answer.text.contains(leak), "\(answer.text)")
                }
            }
        }
    }
}
