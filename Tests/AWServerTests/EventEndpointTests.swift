import AWCore
import AWStoreTestSupport
import Testing

@testable import AWServer

@Suite("REST: events and heartbeats")
struct EventEndpointTests {
    static let bucketBody = #"{"client":"c","type":"t","hostname":"h"}"#

    @Test("insert, list, heartbeat and count give aw-server-rust's exact JSON", arguments: StoreKind.all)
    func upstreamExample(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            try await client.send(.post, "/api/0/buckets/b", Self.bucketBody)
            let inserted = try await client.send(
                .post, "/api/0/buckets/b/events", #"[{"timestamp":"2018-01-01T01:01:01Z","duration":1.0,"data":{}}]"#)
            #expect(inserted.text == #"[{"id":1,"timestamp":"2018-01-01T01:01:01Z","duration":1.0,"data":{}}]"#)
            #expect(
                try await client.send(.get, "/api/0/buckets/b/events").text
                    == #"[{"id":1,"timestamp":"2018-01-01T01:01:01Z","duration":1.0,"data":{}}]"#)
            let beat = try await client.send(
                .post, "/api/0/buckets/b/heartbeat?pulsetime=2",
                #"{"timestamp":"2018-01-01T01:01:02Z","duration":1.0,"data":{}}"#)
            #expect(beat.text == #"{"id":1,"timestamp":"2018-01-01T01:01:01Z","duration":2.0,"data":{}}"#)
            #expect(
                try await client.send(.get, "/api/0/buckets/b/events").text
                    == #"[{"id":1,"timestamp":"2018-01-01T01:01:01Z","duration":2.0,"data":{}}]"#)
            #expect(try await client.send(.get, "/api/0/buckets/b/events/count").text == "1")
            #expect(try await client.send(.delete, "/api/0/buckets/b/events/1").status == 200)
            #expect(try await client.send(.get, "/api/0/buckets/b/events/count").text == "0")
        }
    }

    @Test("start, end and limit select and clip events; offsets are accepted encoded or not", arguments: StoreKind.all)
    func ranges(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            try await client.send(.post, "/api/0/buckets/b", Self.bucketBody)
            let events = (0..<24).map {
                #"{"timestamp":"2020-01-01T\#(String(format: "%02d", $0)):00:00Z","duration":3600,"data":{"h":\#($0)}}"#
            }
            try await client.send(.post, "/api/0/buckets/b/events", "[\(events.joined(separator: ","))]")
            let window = try #require(
                try await client.send(
                    .get, "/api/0/buckets/b/events?start=2020-01-01T10:30:00Z&end=2020-01-01T12:30:00Z"
                ).json?.arrayValue)
            #expect(window.map { $0["data"]?["h"] } == [12, 11, 10])
            #expect(window.map { $0["duration"] } == [1800.0, 3600.0, 1800.0])
            #expect(window.last?["timestamp"] == "2020-01-01T10:30:00Z")
            let encoded = try await client.send(
                .get, "/api/0/buckets/b/events?start=2020-01-01T11:30:00%2B01:00&end=2020-01-01T13:30:00+01:00")
            #expect(encoded.json?.arrayValue?.count == 3)
            #expect(try await client.send(.get, "/api/0/buckets/b/events?limit=5").json?.arrayValue?.count == 5)
            #expect(try await client.send(.get, "/api/0/buckets/b/events?limit=-1").json?.arrayValue?.count == 24)
            #expect(try await client.send(.get, "/api/0/buckets/b/events?limit=0").text == "[]")
            let count = try await client.send(
                .get, "/api/0/buckets/b/events/count?start=2020-01-01T10:30:00Z&end=2020-01-01T12:30:00Z")
            #expect(count.text == "3")
        }
    }

    @Test(
        "bad query parameters get a 400 naming them",
        arguments: [
            ("/api/0/buckets/b/events?limit=ten", "'limit' must be an integer"),
            ("/api/0/buckets/b/events?start=yesterday", "query parameter 'start': invalid timestamp 'yesterday'"),
            ("/api/0/buckets/b/events/count?end=2020-13-01T00:00:00Z", "month 13"),
            ("/api/0/buckets/b/events/abc", "event id must be an integer"),
        ])
    func badQueries(path: String, message: String) async throws {
        try await TestServer().withClient { (client) async throws in
            try await client.send(.post, "/api/0/buckets/b", Self.bucketBody)
            let answer = try await client.send(.get, path)
            #expect(answer.status == 400)
            #expect(answer.message?.contains(message) == true, "\(answer.text)")
        }
    }

    @Test("single events: found, 404 when missing, deleted once", arguments: StoreKind.all)
    func singleEvents(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            try await client.send(.post, "/api/0/buckets/b", Self.bucketBody)
            try await client.send(
                .post, "/api/0/buckets/b/events",
                #"{"timestamp":"2020-01-01T00:00:00.123456789Z","duration":1.5,"data":{"z":"é"}}"#)
            let event = try await client.send(.get, "/api/0/buckets/b/events/1")
            #expect(
                event.text == #"{"id":1,"timestamp":"2020-01-01T00:00:00.123456789Z","duration":1.5,"data":{"z":"é"}}"#)
            let missing = try await client.send(.get, "/api/0/buckets/b/events/99")
            #expect(missing.status == 404)
            #expect(missing.message == "event 99 does not exist in bucket 'b'")
            #expect(try await client.send(.delete, "/api/0/buckets/b/events/1").status == 200)
            #expect(try await client.send(.delete, "/api/0/buckets/b/events/1").status == 404)
            #expect(try await client.send(.get, "/api/0/buckets/nope/events/1").status == 404)
        }
    }

    @Test("bad events and heartbeats are 400s that store nothing; a missing bucket is 404", arguments: StoreKind.all)
    func badWrites(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            try await client.send(.post, "/api/0/buckets/b", Self.bucketBody)
            let bad = try await client.send(
                .post, "/api/0/buckets/b/events",
                #"[{"timestamp":"2020-01-01T00:00:00Z"},{"timestamp":"2020-02-30T00:00:00Z"}]"#)
            #expect(bad.status == 400)
            #expect(bad.message?.contains("field '[1].timestamp'") == true)
            #expect(try await client.send(.get, "/api/0/buckets/b/events/count").text == "0")
            let noPulse = try await client.send(
                .post, "/api/0/buckets/b/heartbeat", #"{"timestamp":"2020-01-01T00:00:00Z"}"#)
            #expect(noPulse.status == 400)
            #expect(noPulse.message?.contains("'pulsetime' is required") == true)
            let badPulse = try await client.send(
                .post, "/api/0/buckets/b/heartbeat?pulsetime=soon", #"{"timestamp":"2020-01-01T00:00:00Z"}"#)
            #expect(badPulse.status == 400)
            let noBucket = try await client.send(
                .post, "/api/0/buckets/nope/heartbeat?pulsetime=1", #"{"timestamp":"2020-01-01T00:00:00Z"}"#)
            #expect(noBucket.status == 404)
            #expect(try await client.send(.post, "/api/0/buckets/nope/events", "[]").status == 404)
        }
    }

    @Test("a naive heartbeat timestamp is taken as UTC and answered with Z", arguments: StoreKind.all)
    func naiveTimestamps(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            try await client.send(.post, "/api/0/buckets/b", Self.bucketBody)
            let beat = try await client.send(
                .post, "/api/0/buckets/b/heartbeat?pulsetime=1",
                #"{"timestamp":"2020-01-01T10:00:00.5","data":{"a":1}}"#)
            #expect(beat.json?["timestamp"] == "2020-01-01T10:00:00.500Z")
        }
    }
}
