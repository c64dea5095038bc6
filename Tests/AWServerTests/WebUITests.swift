import AWCore
import AWTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import AWServer

@Suite("Web UI: the built-in dashboard and --webpath")
struct WebUITests {
    /// The dashboard's source folder; every file in it must be served.
    static let dashboardFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/AWServer/Dashboard")

    @Test("/ is the dashboard; every file of Sources/AWServer/Dashboard is served with its type and content")
    func builtInFiles() async throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.dashboardFolder.path).sorted()
        #expect(names.contains("index.html"))
        #expect(Set(names) == Set(DashboardFiles.all.keys), "DashboardFiles.all must list every dashboard file")
        try await TestServer().withClient { (client) async throws in
            let root = try await client.send(.get, "/")
            #expect(root.status == 200)
            #expect(root.headers[.contentType] == "text/html; charset=utf-8")
            #expect(root.text.contains("<script type=\"module\" src=\"main.js\">"))
            #expect(root.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            for name in names {
                let answer = try await client.send(.get, "/\(name)")
                #expect(answer.status == 200, "\(name)")
                let expected = try String(
                    contentsOf: Self.dashboardFolder.appendingPathComponent(name), encoding: .utf8)
                #expect(answer.text == expected, "\(name) is served as it is in the source folder")
            }
            #expect(try await client.send(.get, "/main.js").headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(try await client.send(.get, "/dashboard.css").headers[.contentType] == "text/css; charset=utf-8")
            #expect(try await client.send(.get, "/favicon.svg").headers[.contentType] == "image/svg+xml")
        }
    }

    @Test("a file the browser already has answers 304 to If-None-Match; a changed one 200")
    func revalidation() async throws {
        try await TestServer().withClient { (client) async throws in
            let first = try await client.send(.get, "/main.js")
            let tag = try #require(first.headers[.eTag])
            #expect(first.headers[.cacheControl] == "no-cache")
            let again = try await client.send(.get, "/main.js", headers: [.ifNoneMatch: tag])
            #expect(again.status == 304)
            #expect(again.text.isEmpty)
            #expect(try await client.send(.get, "/main.js", headers: [.ifNoneMatch: "\"old\""]).status == 200)
        }
    }

    @Test("unknown files 404, parent-directory paths 400, other methods 405, all with a message")
    func badPaths() async throws {
        try await TestServer().withClient { (client) async throws in
            let missing = try await client.send(.get, "/nothing.js")
            #expect(missing.status == 404)
            #expect(missing.message == "no such file: /nothing.js")
            let escape = try await client.send(.get, "/%2E%2E/etc/passwd")
            #expect(escape.status == 400)
            #expect(escape.message?.contains("not allowed") == true)
            let post = try await client.send(.post, "/index.html", "x")
            #expect(post.status == 405)
            #expect(post.headers[.allow] == "GET, HEAD")
            #expect(try await client.send(.get, "/api/0/nothing").message == "no such endpoint: /api/0/nothing")
        }
    }

    @Test("the pages need no API key, the API behind them does")
    func pagesWithoutKey() async throws {
        try await TestServer(configuration: ServerConfiguration(testing: true, apiKey: "k")).withClient {
            (client) async throws in
            #expect(try await client.send(.get, "/").status == 200)
            #expect(try await client.send(.get, "/api.js").status == 200)
            #expect(try await client.send(.get, "/api/0/buckets").status == 401)
        }
    }

    @Test("--webpath serves a directory instead: index, nested files, no escape through .. or symbolic links")
    func directory() async throws {
        let folder = TemporaryDirectory()
        let root = URL(fileURLWithPath: folder.file("dist"))
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("js"), withIntermediateDirectories: true)
        try "<html>official</html>".write(
            to: root.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        try "console.log(1)".write(to: root.appendingPathComponent("js/app.js"), atomically: true, encoding: .utf8)
        try "secret".write(to: URL(fileURLWithPath: folder.file("secret.txt")), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("link.txt").path,
            withDestinationPath: URL(fileURLWithPath: folder.file("secret.txt")).path)
        #expect(WebUISource.problem(withDirectory: root.path) == nil)
        #expect(WebUISource.problem(withDirectory: folder.path)?.contains("has no readable index.html") == true)
        #expect(WebUISource.problem(withDirectory: root.path + "/missing")?.contains("does not exist") == true)

        let configuration = ServerConfiguration(testing: true, webUI: .directory(root.path))
        try await TestServer(configuration: configuration).withClient { (client) async throws in
            let index = try await client.send(.get, "/")
            #expect(index.text == "<html>official</html>")
            #expect(index.headers[.contentSecurityPolicy] == nil)
            let script = try await client.send(.get, "/js/app.js")
            #expect(script.text == "console.log(1)")
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(try await client.send(.get, "/js").status == 404, "a directory without index.html")
            #expect(try await client.send(.get, "/main.js").status == 404, "the built-in dashboard is not served")
            #expect(try await client.send(.get, "/link.txt").status == 404, "a link out of the directory is refused")
            #expect(try await client.send(.get, "/%2E%2E/secret.txt").status == 400)
            #expect(try await client.send(.get, "/api/0/info").status == 200)
        }
    }
}
