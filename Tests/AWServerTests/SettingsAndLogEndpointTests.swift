import AWCore
import AWStoreTestSupport
import Testing

@testable import AWServer

@Suite("REST: settings and log")
struct SettingsAndLogEndpointTests {
    @Test("settings: set is 201, unset is null, list, overwrite, delete, too-long key is 400", arguments: StoreKind.all)
    func settings(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            #expect(try await client.send(.get, "/api/0/settings/theme").text == "null")
            #expect(try await client.send(.post, "/api/0/settings/theme", #""dark""#).status == 201)
            #expect(
                try await client.send(
                    .post, "/api/0/settings/classes", #"[{"name":["Work"],"rule":{"type":"regex","regex":"code"}}]"#
                ).status == 201)
            #expect(try await client.send(.post, "/api/0/settings/startOfWeek", #"{"day":"Monday"}"#).status == 201)
            #expect(try await client.send(.get, "/api/0/settings/theme").text == #""dark""#)
            try await client.send(.post, "/api/0/settings/theme", #""light""#)
            let all = try #require(try await client.send(.get, "/api/0/settings").json)
            #expect(all.objectValue?.keys.sorted() == ["classes", "startOfWeek", "theme"])
            #expect(all["theme"] == "light")
            #expect(try await client.send(.delete, "/api/0/settings/theme").status == 200)
            #expect(try await client.send(.get, "/api/0/settings/theme").text == "null")
            let long = String(repeating: "k", count: 128)
            let refused = try await client.send(.post, "/api/0/settings/\(long)", "1")
            #expect(refused.status == 400)
            #expect(refused.message?.contains("longer than 127 bytes") == true)
            #expect(try await client.send(.post, "/api/0/settings/x", "{broken").status == 400)
        }
    }

    @Test("GET /api/0/log returns the server's recent log records, newest first", arguments: StoreKind.all)
    func log(store: StoreKind) async throws {
        let server = try await TestServer(store: store.make())
        try await server.withClient { (client) async throws in
            try await client.send(.post, "/api/0/buckets/logged", #"{"client":"c","type":"t","hostname":"h"}"#)
            try await client.send(.delete, "/api/0/buckets/logged")
            let records = try #require(try await client.send(.get, "/api/0/log?limit=1").json?.arrayValue)
            #expect(records.count == 1)
            let all = try #require(try await client.send(.get, "/api/0/log").json?.arrayValue)
            #expect(all.contains { $0["message"] == "created bucket" && $0["metadata"]?["bucket.id"] == "logged" })
            #expect(all.first?["level"] != nil && all.first?["time"] != nil)
        }
    }
}
