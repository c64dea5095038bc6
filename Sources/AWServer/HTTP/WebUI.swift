import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Where the pages at `/` come from.
public enum WebUISource: Sendable, Hashable {
    /// The dashboard built into `aw-server` (Sources/AWServer/Dashboard).
    case builtIn
    /// A directory holding a web UI build, e.g. the official aw-webui's `dist` (`--webpath`).
    case directory(String)

    /// Checks that a directory can be served: it exists and has an `index.html`.
    ///
    /// - Returns: A message naming the problem, or `nil` when the directory is fine.
    public static func problem(withDirectory path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return "web UI directory '\(path)' does not exist"
        }
        guard isDirectory.boolValue else { return "web UI path '\(path)' is not a directory" }
        guard FileManager.default.isReadableFile(atPath: path + "/index.html") else {
            return "web UI directory '\(path)' has no readable index.html"
        }
        return nil
    }
}

/// Serves the web UI: every path outside `/api` names a file; `/` is `index.html`.
///
/// Files answer with an `ETag` and `Cache-Control: no-cache`, so a browser revalidates and gets
/// `304 Not Modified` until the file changes. The built-in dashboard also gets a Content
/// Security Policy that allows nothing but this server.
struct WebUI: Sendable {
    let source: WebUISource

    /// The built-in dashboard's files by URL name, with their entity tags.
    static let builtInFiles: [String: (bytes: [UInt8], etag: String)] = {
        var files: [String: (bytes: [UInt8], etag: String)] = [:]
        for (name, bytes) in DashboardFiles.all {
            files[name] = (bytes, entityTag(bytes))
        }
        return files
    }()

    /// Allows scripts, styles, images and API calls from this server only.
    static let contentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
        + "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"

    /// The answer for a GET or HEAD of `segments` (the percent-decoded path).
    ///
    /// - Throws: `APIError` 404 for a missing file, 405 for other methods, 400 for a path that
    ///   tries to leave the web UI's directory.
    func response(for request: Request, segments: [String]) throws(APIError) -> Response {
        guard request.method == .get || request.method == .head else {
            throw APIError(
                .methodNotAllowed, "\(request.method) is not supported on web UI files (use GET)",
                headers: [.allow: "GET, HEAD"])
        }
        let path = "/" + segments.joined(separator: "/")
        for segment in segments where segment == ".." || segment == "." || segment.contains("\0") {
            throw .badRequest("the path '\(path)' is not allowed")
        }
        switch source {
        case .builtIn:
            let name = segments.isEmpty ? "index.html" : segments.joined(separator: "/")
            guard let file = Self.builtInFiles[name] else { throw APIError(.notFound, "no such file: \(path)") }
            var response = Self.file(file.bytes, name: name, etag: file.etag, request: request)
            response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
            return response
        case .directory(let root):
            guard let (bytes, name) = Self.read(segments, under: root) else {
                throw APIError(.notFound, "no such file: \(path)")
            }
            return Self.file(bytes, name: name, etag: Self.entityTag(bytes), request: request)
        }
    }

    /// Reads a file below `root`, following symbolic links only when they stay inside it; a
    /// directory means its `index.html`.
    static func read(_ segments: [String], under root: String) -> (bytes: [UInt8], name: String)? {
        let rootURL = URL(fileURLWithPath: root).resolvingSymlinksInPath()
        var url = rootURL
        for segment in segments { url.appendPathComponent(segment) }
        url = url.resolvingSymlinksInPath()
        guard url.path == rootURL.path || url.path.hasPrefix(rootURL.path + "/") else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { url.appendPathComponent("index.html") }
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return ([UInt8](data), url.lastPathComponent)
    }

    /// A file's response, or 304 when the browser's copy is current.
    static func file(_ bytes: [UInt8], name: String, etag: String, request: Request) -> Response {
        var headers: HTTPFields = [.eTag: etag, .cacheControl: "no-cache"]
        if let cached = request.headers[.ifNoneMatch],
            cached.split(separator: ",").contains(where: {
                $0.trimmingCharacters(in: .whitespaces) == etag
            })
        {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = contentType(ofFileNamed: name)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A strong entity tag: the 64-bit FNV-1a hash of the content.
    static func entityTag(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return "\"\(String(hash, radix: 16))-\(bytes.count)\""
    }

    /// The media type for a file name's extension.
    static func contentType(ofFileNamed name: String) -> String {
        let suffix = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch suffix {
        case "html", "htm": return "text/html; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "json", "map": return "application/json"
        case "webmanifest": return "application/manifest+json"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "ico": return "image/x-icon"
        case "woff": return "font/woff"
        case "woff2": return "font/woff2"
        case "ttf": return "font/ttf"
        case "eot": return "application/vnd.ms-fontobject"
        case "txt": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }
}
