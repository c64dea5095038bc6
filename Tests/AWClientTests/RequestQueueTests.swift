import AWCore
import Foundation
import Testing

@testable import AWClient

@Suite("Client: pre-merged heartbeats and the durable queue", .serialized)
struct RequestQueueTests {
    let a: [String: JSON] = ["app": "A"]
    let b: [String: JSON] = ["app": "B"]

    @Test("a new activity is sent at once, its continuation every commit interval, the rest on flush")
    func premerge() {
        var premerger = HeartbeatPremerger()
        func add(_ seconds: Double, _ data: [String: JSON]) -> [String] {
            premerger.add(Event(timestamp: .at(seconds), data: data), bucketID: "x", pulsetime: 2, commitInterval: 10)
                .map {
                    "\($0.event.data["app"]!.stringValue!)@\($0.event.timestamp.nanoseconds(since: .at(0)) / 1_000_000_000)+\($0.event.durationSeconds)"
                }
        }
        #expect(add(0, a) == ["A@0+0.0"])
        for second in 1...9 { #expect(add(Double(second), a).isEmpty) }
        #expect(add(10, a) == ["A@0+10.0"])
        #expect(add(11, a).isEmpty)
        #expect(add(12, b) == ["A@0+11.0", "B@12+0.0"])  // the change sends A's tail, then B
        #expect(add(13, b).isEmpty)
        #expect(
            premerger.flushAll().map(\.event) == [
                Event(timestamp: .at(12), durationNanoseconds: 1_000_000_000, data: b)
            ])
        #expect(premerger.flushAll().isEmpty)
        #expect(add(20, b) == ["B@20+0.0"])  // past the pulsetime: a new event
    }

    @Test("server away for 30 s, client restarted meanwhile: every insert once, all heartbeat time, in order")
    func offlineAndRestarted() async throws {
        let server = try LiveServer()
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let bucket = "offline-test"
        // The server is not there: everything waits in the queue, on disk.
        let first = try server.client(home: home)
        try await first.createBucket(bucket, type: "test", queued: true)
        for second in 0...5 {
            try await first.heartbeat(
                Event(timestamp: .at(Double(second)), data: a), bucketID: bucket, pulsetime: 2, queued: true)
        }
        try await first.insertEvents(
            [Event(timestamp: .at(-100), data: ["n": 1]), Event(timestamp: .at(-99), data: ["n": 2])], bucketID: bucket,
            queued: true)
        await first.disconnect(timeout: .milliseconds(100))  // as a process exits: the merged tail goes to disk
        #expect(first.queuedRequestCount == 0)  // closed

        // A new process of the same client carries on.
        let second = try server.client(home: home)
        try second.connect()
        #expect(second.queuedRequestCount == 7)  // A@0, A@0+1 ... A@0+5 (one per commit interval), the insert
        for step in 6...8 {
            try await second.heartbeat(
                Event(timestamp: .at(Double(step)), data: a), bucketID: bucket, pulsetime: 2, queued: true)
        }
        try await Task.sleep(for: .seconds(30))
        try await server.start()
        await second.disconnect(timeout: .seconds(15))
        #expect(second.queuedRequestCount == 0)
        let events = try await server.api.getEvents(bucketID: bucket)
        #expect(events.map(\.data) == [a, ["n": 2], ["n": 1]])
        #expect(events.first?.timestamp == .at(0) && events.first?.durationSeconds == 8)
        #expect(try await server.api.getBucketMetadata(bucketID: bucket).client == "aw-client-test")
        await server.stop()
    }

    @Test("a request the server refuses (4xx) is dropped with a reason; the ones after it go through")
    func refusedIsDropped() async throws {
        let server = try LiveServer()
        try await server.start()
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let client = try server.client(home: home)
        try await client.heartbeat(
            Event(timestamp: .at(0), data: a), bucketID: "never-created", pulsetime: 2, queued: true)
        try await client.createBucket("real", type: "test", queued: true)
        try await client.heartbeat(Event(timestamp: .at(0), data: a), bucketID: "real", pulsetime: 2, queued: true)
        await client.disconnect(timeout: .seconds(10))
        #expect(try await server.api.getEvents(bucketID: "real").count == 1)
        await server.stop()
    }

    @Test("a second instance of the same client is refused while the first holds the queue")
    func singleInstance() async throws {
        let server = try LiveServer()
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let first = try server.client(home: home)
        try first.connect()
        let second = try server.client(home: home)
        #expect {
            try second.connect()
        } throws: { error in
            guard case ClientError.queueInUse = error else { return false }
            return "\(error)".contains("another instance of this client is running")
        }
        await first.disconnect(timeout: .zero)
        try second.connect()
        await second.disconnect(timeout: .zero)
    }
}
