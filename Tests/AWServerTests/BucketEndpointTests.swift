import AWCore
import AWStoreTestSupport
import Testing

@testable import AWServer

@Suite("REST: info and buckets")
struct BucketEndpointTests {
    @Test("GET /api/0/info reports hostname, version, testing and device id", arguments: StoreKind.all)
    func info(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            let answer = try await client.send(.get, "/api/0/info")
            #expect(answer.status == 200)
            #expect(answer.headers[.contentType] == "application/json")
            #expect(
                answer.json == [
                    "hostname": "test-host", "version": .string(ServerInfo.currentVersion), "testing": true,
                    "device_id": "device-1",
                ])
        }
    }

    @Test("a bucket's whole life: 404, create 200, again 304, list, get, update, delete", arguments: StoreKind.all)
    func lifecycle(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            #expect(try await client.send(.get, "/api/0/buckets/").text == "{}")
            let missing = try await client.send(.get, "/api/0/buckets/test-b")
            #expect(missing.status == 404)
            #expect(missing.message == "bucket 'test-b' does not exist")
            let body = #"{"client":"aw-test","type":"currentwindow","hostname":"h","name":"ignored"}"#
            let created = try await client.send(.post, "/api/0/buckets/test-b", body)
            #expect(created.status == 200)
            #expect(created.text.isEmpty)
            let again = try await client.send(.post, "/api/0/buckets/test-b", body)
            #expect(again.status == 304)
            #expect(again.text.isEmpty)
            let list = try #require(try await client.send(.get, "/api/0/buckets").json)
            #expect(list.objectValue?.keys.sorted() == ["test-b"])
            let bucket = try #require(try await client.send(.get, "/api/0/buckets/test-b").json)
            #expect(
                bucket.objectValue?.keys.sorted() == [
                    "client", "created", "data", "events", "hostname", "id", "last_updated", "metadata", "type",
                ])
            #expect(bucket["id"] == "test-b")
            #expect(bucket["metadata"] == ["start": nil, "end": nil])
            let updated = try await client.send(
                .put, "/api/0/buckets/test-b", #"{"hostname":"new-host","data":{"k":1}}"#)
            #expect(updated.status == 200)
            let after = try #require(try await client.send(.get, "/api/0/buckets/test-b").json)
            #expect(after["hostname"] == "new-host")
            #expect(after["type"] == "currentwindow")
            #expect(after["data"] == ["k": 1])
            #expect(try await client.send(.delete, "/api/0/buckets/test-b?force=1").status == 200)
            #expect(try await client.send(.delete, "/api/0/buckets/test-b").status == 404)
        }
    }

    @Test(
        "bad bucket bodies get a 400 naming the problem",
        arguments: [
            (#"{"client":"c","type":"t"}"#, "field 'hostname' is required"),
            (#"{"client":"c","type":5,"hostname":"h"}"#, "field 'type' must be a string, got a number"),
            (#"["not", "an", "object"]"#, "a bucket must be a JSON object"),
            (#"{"client":"c""#, "not valid JSON"),
            ("", "request body is empty"),
            (
                #"{"client":"c","type":"t","hostname":"h","created":"yesterday"}"#,
                "field 'created' is not a valid timestamp"
            ),
            (
                #"{"client":"c","type":"t","hostname":"h","events":[{"duration":1}]}"#,
                "field 'events[0].timestamp' is required"
            ),
        ])
    func badBodies(body: String, message: String) async throws {
        try await TestServer().withClient { (client) async throws in
            let answer = try await client.send(.post, "/api/0/buckets/b", body)
            #expect(answer.status == 400)
            #expect(answer.message?.contains(message) == true, "\(answer.text)")
            #expect(try await client.send(.get, "/api/0/buckets/b").status == 404)
        }
    }

    @Test("a bucket created with hostname !local gets the server's hostname and device id", arguments: StoreKind.all)
    func localHostname(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            try await client.send(
                .post, "/api/0/buckets/web", #"{"client":"aw-client-web","type":"web.tab.current","hostname":"!local"}"#
            )
            let bucket = try #require(try await client.send(.get, "/api/0/buckets/web").json)
            #expect(bucket["hostname"] == "test-host")
            #expect(bucket["data"] == ["device_id": "device-1"])
        }
    }

    @Test("a bucket created with events stores them", arguments: StoreKind.all)
    func createWithEvents(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            let body =
                #"{"client":"c","type":"t","hostname":"h","events":[{"timestamp":"2020-01-01T00:00:00Z","duration":1,"data":{"a":1}}]}"#
            #expect(try await client.send(.post, "/api/0/buckets/b", body).status == 200)
            #expect(try await client.send(.get, "/api/0/buckets/b/events/count").text == "1")
        }
    }

    @Test("bucket ids with slashes, spaces, quotes, dots and SQL are plain data", arguments: StoreKind.all)
    func awkwardIDs(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            for (id, encoded) in [
                ("a/b", "a%2Fb"), ("with space", "with%20space"), ("quo\"te'", "quo%22te'"), ("..", "%2E%2E"),
                ("x'; DROP TABLE events; --", "x'%3B%20DROP%20TABLE%20events%3B%20--"), ("ünï", "%C3%BCn%C3%AF"),
            ] {
                let created = try await client.send(
                    .post, "/api/0/buckets/\(encoded)", #"{"client":"c","type":"t","hostname":"h"}"#)
                #expect(created.status == 200, "\(id)")
                let bucket = try await client.send(.get, "/api/0/buckets/\(encoded)")
                #expect(bucket.json?["id"] == .string(id))
            }
            #expect(try await client.send(.get, "/api/0/buckets").json?.objectValue?.count == 6)
            let bad = try await client.send(.get, "/api/0/buckets/%FF")
            #expect(bad.status == 400)
        }
    }
}
