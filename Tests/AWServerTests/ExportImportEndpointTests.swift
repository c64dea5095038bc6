import AWCore
import AWStoreTestSupport
import Testing

@testable import AWServer

@Suite("REST: export and import")
struct ExportImportEndpointTests {
    static let bucketBody = #"{"client":"c","type":"t","hostname":"h"}"#

    @Test(
        "export, delete and re-import through JSON gives back every event; a second import adds nothing",
        arguments: StoreKind.all)
    func roundTrip(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            try await client.send(.post, "/api/0/buckets/b1", Self.bucketBody)
            try await client.send(.post, "/api/0/buckets/b2", Self.bucketBody)
            try await client.send(
                .post, "/api/0/buckets/b1/events",
                #"[{"timestamp":"2020-01-01T00:00:00Z","duration":1,"data":{"t":"ü"}},{"timestamp":"2020-01-01T00:00:05.000000001Z","duration":0.5,"data":{}}]"#
            )
            let single = try await client.send(.get, "/api/0/buckets/b1/export")
            #expect(single.headers[.contentDisposition] == #"attachment; filename="aw-bucket-export_b1.json""#)
            #expect(single.json?["buckets"]?.objectValue?.keys.sorted() == ["b1"])
            let export = try await client.send(.get, "/api/0/export")
            #expect(export.headers[.contentDisposition] == #"attachment; filename="aw-buckets-export.json""#)
            let before = try #require(export.json?["buckets"]?["b1"]?["events"])
            #expect(before.arrayValue?.count == 2)
            try await client.send(.delete, "/api/0/buckets/b1")
            try await client.send(.delete, "/api/0/buckets/b2")
            let imported = try await client.send(.post, "/api/0/import", export.text)
            #expect(imported.status == 200)
            #expect(imported.json?["buckets"]?["b1"] == ["created": true, "inserted": 2, "skipped": 0])
            let after = try await client.send(.get, "/api/0/buckets/b1/events")
            #expect(
                try Event.array(json: JSON.parse(after.text)).map { $0.timestamp }
                    == Event.array(json: before).map { $0.timestamp })
            let twice = try await client.send(.post, "/api/0/import", export.text)
            #expect(twice.json?["buckets"]?["b1"] == ["created": false, "inserted": 0, "skipped": 2])
            #expect(try await client.send(.get, "/api/0/buckets/b1/events/count").text == "2")
            #expect(try await client.send(.get, "/api/0/buckets/b2").status == 200)
        }
    }

    @Test("a multipart upload with a buckets.json part is imported, as the web UI sends it", arguments: StoreKind.all)
    func multipart(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            let document =
                #"{"buckets":{"up":{"id":"up","type":"t","client":"c","hostname":"h","created":"2020-01-01T00:00:00Z","events":[{"timestamp":"2020-01-01T00:00:00Z","duration":2,"data":{"k":"v"}}]}}}"#
            let body =
                "--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nignored\r\n--XyZ\r\nContent-Disposition: form-data; name=\"buckets.json\"; filename=\"aw-buckets-export.json\"\r\nContent-Type: application/json\r\n\r\n\(document)\r\n--XyZ--\r\n"
            let answer = try await client.send(
                .post, "/api/0/import", body, headers: [.contentType: "multipart/form-data; boundary=XyZ"])
            #expect(answer.status == 200, "\(answer.text)")
            #expect(
                try await client.send(.get, "/api/0/buckets/up/events").json?.arrayValue?.first?["data"] == ["k": "v"])
        }
    }

    @Test("an import with one bad event is refused whole, naming the bucket and event", arguments: StoreKind.all)
    func badDocument(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            let document =
                #"{"buckets":{"a":{"id":"a","type":"t","client":"c","hostname":"h","events":[]},"z":{"id":"z","type":"t","client":"c","hostname":"h","events":[{"timestamp":"2020-01-01T00:00:00Z"},{"duration":1}]}}}"#
            let answer = try await client.send(.post, "/api/0/import", document)
            #expect(answer.status == 400)
            #expect(answer.message?.contains("buckets.z.events[1].timestamp") == true, "\(answer.text)")
            #expect(try await client.send(.get, "/api/0/buckets").text == "{}")
            let notDocument = try await client.send(.post, "/api/0/import", #"{"something":"else"}"#)
            #expect(notDocument.status == 400)
            #expect(notDocument.message?.contains("field 'buckets' is required") == true)
            let badMultipart = try await client.send(
                .post, "/api/0/import", "junk", headers: [.contentType: "multipart/form-data"])
            #expect(badMultipart.status == 400)
        }
    }
}
