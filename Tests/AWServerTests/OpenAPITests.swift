import AWCore
import AWTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import AWServer

@Suite("REST: the OpenAPI document")
struct OpenAPITests {
    /// "GET /api/0/buckets/{}" for every operation of the document.
    static func documentedOperations(_ document: JSON) throws -> Set<String> {
        guard case .object(let paths)? = document["paths"] else { throw ModelDecodingError.missing("paths") }
        var operations: Set<String> = []
        for (path, item) in paths {
            guard case .object(let members) = item else { continue }
            let pattern = path.split(separator: "/", omittingEmptySubsequences: false)
                .map { $0.hasPrefix("{") && $0.hasSuffix("}") ? "{}" : String($0) }.joined(separator: "/")
            for method in members.keys where ["get", "post", "put", "delete", "patch"].contains(method) {
                operations.insert("\(method.uppercased()) \(pattern)")
            }
        }
        return operations
    }

    @Test("every route of the server is in the document and every documented operation is a route")
    func coverage() async throws {
        let server = try TestServer()
        try await server.withClient { (client) async throws in
            let answer = try await client.send(.get, "/api/0/openapi.json")
            #expect(answer.status == 200)
            #expect(answer.headers[.contentType] == "application/json")
            let document = try JSON.parse(Array(answer.text.utf8))
            #expect(document["openapi"] == .string("3.1.0"))
            let documented = try Self.documentedOperations(document)
            let served = Set(
                APIResponder(api: server.api, configuration: server.configuration).routes.map {
                    "\($0.method.rawValue) \($0.path)"
                })
            #expect(served.subtracting(documented).sorted() == [], "routes missing from the document")
            #expect(documented.subtracting(served).sorted() == [], "documented operations the server lacks")
            #expect(served.count == 23)
        }
    }

    @Test("every $ref in the document resolves")
    func references() async throws {
        let document = try JSON.parse(PackageResources.openapi_json)
        func resolve(_ reference: String) -> JSON? {
            reference.dropFirst(2).split(separator: "/").reduce(Optional(document)) { node, key in node?[String(key)] }
        }
        var missing: [String] = []
        func walk(_ node: JSON) {
            switch node {
            case .object(let members):
                if case .string(let reference)? = members["$ref"], resolve(reference) == nil {
                    missing.append(reference)
                }
                members.values.forEach(walk)
            case .array(let items): items.forEach(walk)
            default: break
            }
        }
        walk(document)
        #expect(missing == [])
    }
}
