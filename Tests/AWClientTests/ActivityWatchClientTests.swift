import AWClient
import AWCore
import Foundation
import Testing

@Suite("Client: every method against a live server", .serialized)
struct ActivityWatchClientTests {
    @Test("buckets, events, heartbeats, queries, export/import and settings round-trip")
    func everyMethod() async throws {
        let server = try LiveServer()
        try await server.start()
        defer { Task { await server.stop() } }
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let client = try server.client(home: home)
        try await client.waitForStart()
        #expect(try await client.info()["hostname"] == "client-test")

        let bucket = "aw-test_\(client.clientHostname)"
        try await client.createBucket(bucket, type: "currentwindow")
        try await client.createBucket(bucket, type: "currentwindow")  // exists: fine
        #expect(try await client.buckets()[bucket]?.client == "aw-client-test")
        let stored = try await client.insertEvent(
            Event(timestamp: .at(0), durationNanoseconds: 5_000_000_000, data: ["app": "A"]), bucketID: bucket)
        #expect(stored.id != nil)
        try await client.insertEvents(
            [
                Event(timestamp: .at(10), durationNanoseconds: 1_000_000_000, data: ["app": "B"]),
                Event(timestamp: .at(20), data: ["app": "C"]),
            ],
            bucketID: bucket)
        #expect(try await client.events(bucketID: bucket).map { $0.data["app"] } == ["C", "B", "A"])
        #expect(try await client.events(bucketID: bucket, limit: 1).count == 1)
        #expect(try await client.events(bucketID: bucket, start: .at(9), end: .at(15)).map { $0.data["app"] } == ["B"])
        #expect(try await client.eventCount(bucketID: bucket) == 3)
        #expect(try await client.event(bucketID: bucket, id: stored.id!)?.data["app"] == "A")
        #expect(try await client.event(bucketID: bucket, id: 999_999) == nil)
        try await client.deleteEvent(bucketID: bucket, id: stored.id!)
        #expect(try await client.eventCount(bucketID: bucket) == 2)

        let merged = try await client.heartbeat(
            Event(timestamp: .at(20.5), data: ["app": "C"]), bucketID: bucket, pulsetime: 2)
        #expect(merged?.timestamp == .at(20) && merged?.durationSeconds == 0.5)

        let result = try await client.query(
            "events = query_bucket(\"\(bucket)\");\nRETURN = sum_durations(events);",
            timeperiods: [TimePeriod(start: .at(0), end: .at(60))])
        #expect(result == [.double(1.5)])

        let export = try await client.exportBucket(bucket)
        try await client.deleteBucket(bucket, force: true)
        #expect(try await client.buckets()[bucket] == nil)
        try await client.importBucket(export)
        #expect(try await client.eventCount(bucketID: bucket) == 2)

        try await client.setSetting("theme", to: "dark")
        #expect(try await client.setting("theme") == "dark")
        #expect(try await client.setting("unset") == nil)
        #expect(try await client.settings()["theme"] == "dark")
    }

    @Test("errors: the server's message for a bad request, 'unreachable' for a server that is not there")
    func errors() async throws {
        let server = try LiveServer()
        try await server.start()
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let client = try server.client(home: home)
        await #expect {
            try await client.events(bucketID: "missing")
        } throws: { error in
            guard case ClientError.http(404, let message, _) = error else { return false }
            return message.contains("missing")
        }
        await #expect {
            try await client.query("RETURN = flod(1);", timeperiods: [TimePeriod(start: .at(0), end: .at(1))])
        } throws: { error in
            guard case ClientError.http(400, let message, _) = error else { return false }
            return message.contains("unknown function 'flod'")
        }
        await server.stop()
        await #expect {
            try await client.info()
        } throws: { error in
            // A pooled connection the stopped server closed may be what fails first ("the
            // connection was closed"), or a new one is refused: either way, unreachable.
            guard case ClientError.unreachable(let url, let reason) = error else { return false }
            return url.hasSuffix(":\(server.port)") && (reason.contains("refused") || reason.contains("closed"))
        }
    }
}
