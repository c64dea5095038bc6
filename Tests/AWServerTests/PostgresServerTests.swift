import AWCore
import AWDatastore
import AWPostgres
import AWStoreTestSupport
import AWTestSupport
import Foundation
import Glibc
import Testing

@testable import AWServer

@Suite(
    "PostgreSQL: several servers, outages, migration",
    .enabled(if: StoreKind.postgresRuns, "needs AW_TEST_POSTGRES_URL (scripts/test.sh starts a PostgreSQL cluster)"))
struct PostgresServerTests {
    static let start = Timestamp(nanoseconds: 1_800_000_000 * 1_000_000_000)

    static func heartbeatBody(_ second: Int) -> String {
        #"{"timestamp":"\#(start.advanced(byNanoseconds: Int64(second) * 1_000_000_000).rfc3339)","duration":0,"data":{"app":"editor"}}"#
    }

    @Test("two servers on one database: concurrent heartbeats for one bucket are neither lost nor duplicated")
    func twoServers() async throws {
        let database = try await StoreKind.newPostgresDatabase()
        let first = try TestServer(store: try await PostgresStore.open(database))
        let second = try TestServer(store: try await PostgresStore.open(database))
        try await first.withLiveServer { firstPort in
            try await second.withLiveServer { secondPort in
                let ports = [firstPort, secondPort]
                let created = try await RawHTTPClient.send(
                    port: firstPort, method: "POST", path: "/api/0/buckets/shared",
                    headers: ["Content-Type": "application/json"],
                    body: #"{"type":"currentwindow","client":"test","hostname":"desk"}"#)
                #expect(created.status == 200)
                // The first heartbeat reaches both servers at once: one event, not two.
                // Then 300 later ones arrive in a random order through 8 connections at a time,
                // half through each server; each falls within pulsetime of the event, so all
                // of them extend the one event to the latest heartbeat.
                let seconds = [0, 0] + (1...300).shuffled()
                for batch in [Array(seconds.prefix(2)), Array(seconds.dropFirst(2))] {
                    try await withThrowingTaskGroup(of: Int.self) { group in
                        for (index, second) in batch.enumerated() {
                            if index >= 8 { _ = try await group.next() }
                            group.addTask {
                                try await RawHTTPClient.send(
                                    port: ports[index % 2], method: "POST",
                                    path: "/api/0/buckets/shared/heartbeat?pulsetime=1000",
                                    headers: ["Content-Type": "application/json"], body: Self.heartbeatBody(second)
                                ).status
                            }
                        }
                        for try await status in group { #expect(status == 200) }
                    }
                }
                for port in ports {
                    let answer = try await RawHTTPClient.send(
                        port: port, method: "GET", path: "/api/0/buckets/shared/events")
                    let events = try Event.array(json: JSON.parse(answer.body))
                    #expect(events.count == 1, "through port \(port)")
                    #expect(events.first?.timestamp == Self.start)
                    #expect(events.first?.durationSeconds == 300)
                }
            }
        }
    }

    @Test(
        "concurrent inserters and importers into one bucket, through one server and through two: every request 200, every event stored once",
        arguments: [1, 2])
    func concurrentWriters(servers count: Int) async throws {
        let database = try await StoreKind.newPostgresDatabase()
        var servers: [TestServer] = []
        for _ in 0..<count { servers.append(try TestServer(store: try await PostgresStore.open(database))) }
        try await Self.withLiveServers(servers) { ports in
            let created = try await RawHTTPClient.send(
                port: ports[0], method: "POST", path: "/api/0/buckets/shared",
                headers: ["Content-Type": "application/json"],
                body: #"{"type":"currentwindow","client":"test","hostname":"desk"}"#)
            #expect(created.status == 200)
            // 6 writers, 4 inserting and 2 importing, 8 batches of 100 events each, all at once.
            // Each event is distinct (writer, batch, index), so the bucket must end with all 4,800.
            func events(_ writer: Int, _ batch: Int) -> String {
                let items = (0..<100).map { index in
                    let second = (writer * 8 + batch) * 100 + index
                    return
                        #"{"timestamp":"\#(Self.start.advanced(byNanoseconds: Int64(second) * 1_000_000_000).rfc3339)","duration":1,"data":{"w":\#(writer),"b":\#(batch),"i":\#(index)}}"#
                }
                return "[" + items.joined(separator: ",") + "]"
            }
            let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                for writer in 0..<6 {
                    group.addTask {
                        var statuses: [Int] = []
                        for batch in 0..<8 {
                            let port = ports[(writer + batch) % ports.count]
                            let answer: RawHTTPResponse
                            if writer < 4 {
                                answer = try await RawHTTPClient.send(
                                    port: port, method: "POST", path: "/api/0/buckets/shared/events",
                                    headers: ["Content-Type": "application/json"], body: events(writer, batch),
                                    timeout: 60)
                            } else {
                                answer = try await RawHTTPClient.send(
                                    port: port, method: "POST", path: "/api/0/import",
                                    headers: ["Content-Type": "application/json"],
                                    body:
                                        #"{"buckets":{"shared":{"id":"shared","type":"currentwindow","client":"test","hostname":"desk","events":\#(events(writer, batch))}}}"#,
                                    timeout: 60)
                            }
                            statuses.append(answer.status)
                            if answer.status != 200 { Issue.record("writer \(writer) batch \(batch): \(answer.body)") }
                        }
                        return statuses
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(statuses.count == 48 && statuses.allSatisfy { $0 == 200 })
            for port in ports {
                let answer = try await RawHTTPClient.send(
                    port: port, method: "GET", path: "/api/0/buckets/shared/events/count")
                #expect(answer.body == "4800", "through port \(port)")
            }
            let all = try Event.array(
                json: JSON.parse(
                    try await RawHTTPClient.send(
                        port: ports[0], method: "GET", path: "/api/0/buckets/shared/events", timeout: 60
                    ).body))
            #expect(Set(all.map(\.timestamp)).count == 4_800, "no event twice")
        }
    }

    /// Runs `body` with every server listening, given their ports.
    static func withLiveServers(
        _ servers: [TestServer], ports: [Int] = [], _ body: @escaping @Sendable ([Int]) async throws -> Void
    ) async throws {
        guard let first = servers.first else { return try await body(ports) }
        let rest = Array(servers.dropFirst())
        try await first.withLiveServer { port in try await withLiveServers(rest, ports: ports + [port], body) }
    }

    @Test("PostgreSQL stopped mid-run: requests get 503 with a message, then work again without a restart")
    func outage() async throws {
        let cluster = try await PrivateCluster()
        defer { cluster.remove() }
        let store = try await PostgresStore.open(try PostgresAddress(cluster.url), timeout: .seconds(2))
        let server = try TestServer(store: store)
        try await server.withLiveServer { port in
            func send(_ method: String, _ path: String, _ body: String? = nil) async throws -> RawHTTPResponse {
                try await RawHTTPClient.send(
                    port: port, method: method, path: path, headers: ["Content-Type": "application/json"], body: body)
            }
            let bucket = #"{"type":"currentwindow","client":"test","hostname":"desk"}"#
            #expect(try await send("POST", "/api/0/buckets/b", bucket).status == 200)
            #expect(
                try await send("POST", "/api/0/buckets/b/heartbeat?pulsetime=5", Self.heartbeatBody(0)).status == 200)

            try await cluster.run("stop")
            for (method, path, body) in [
                ("POST", "/api/0/buckets/b/heartbeat?pulsetime=5", Self.heartbeatBody(1)),
                ("GET", "/api/0/buckets/b/events", nil), ("GET", "/api/0/buckets/", nil),
                (
                    "POST", "/api/0/query/",
                    #"{"timeperiods":["2027-01-15T00:00:00Z/2027-01-16T00:00:00Z"],"query":["RETURN = query_bucket(\"b\");"]}"#
                ),
                (
                    "POST", "/api/0/query/",
                    #"{"timeperiods":["2027-01-15T00:00:00Z/2027-01-16T00:00:00Z"],"query":["RETURN = query_bucket_names();"]}"#
                ),
            ] {
                let answer = try await send(method, path, body)
                #expect(answer.status == 503, "\(method) \(path)")
                #expect(answer.body.contains("the database server cannot be reached"), "\(answer.body)")
                #expect(!answer.body.contains("postgres://"), "\(answer.body)")  // no address in answers
            }

            try await cluster.run("start")
            var recovered: RawHTTPResponse?
            for _ in 0..<60 {
                let answer = try await send("POST", "/api/0/buckets/b/heartbeat?pulsetime=5", Self.heartbeatBody(2))
                if answer.status == 200 {
                    recovered = answer
                    break
                }
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(recovered != nil, "no success within 30 s of PostgreSQL starting again")
            let events = try Event.array(json: JSON.parse(try await send("GET", "/api/0/buckets/b/events").body))
            #expect(events.count == 1)
            #expect(events.first?.durationSeconds == 2)
        }
    }

    @Test(
        "a PostgreSQL that takes only encrypted connections: require, verify-ca and verify-full work; without encryption, or with a certificate not trusted or for another host, the start fails naming why"
    )
    func encryptedOnly() async throws {
        let cluster = try await PrivateCluster(tls: true)
        defer { cluster.remove() }
        let port = try #require(URLComponents(string: cluster.url)?.port)
        let authority = cluster.file("tls/ca.pem")
        // As in libpq, naming the authorities makes `require` check the certificate.
        #expect(try PostgresAddress("postgres://aw@h/db?sslmode=require&sslrootcert=\(authority)").tls == .verifyCA)
        for query in [
            "sslmode=require", "sslmode=prefer", "sslmode=verify-ca&sslrootcert=\(authority)",
            "sslmode=verify-full&sslrootcert=\(authority)",
        ] {
            // The certificate names "localhost" only.
            let host = query.hasPrefix("sslmode=verify-full") ? "localhost" : "127.0.0.1"
            let store = try await PostgresStore.open(
                try PostgresAddress("postgres://aw@\(host):\(port)/postgres?\(query)"))
            try await store.createBucket(Bucket(id: "b-\(query.count)", type: "t", client: "c", hostname: "h"))
            try await store.heartbeat(
                Event(timestamp: Self.start, data: ["app": "editor"]), bucketID: "b-\(query.count)", pulsetime: 5)
            #expect(try await store.eventCount(bucketID: "b-\(query.count)") == 1, "\(query)")
            try await store.close()
        }
        for (host, query, reason) in [
            (
                "127.0.0.1", "sslmode=disable",
                "no pg_hba.conf entry for host \"127.0.0.1\", user \"aw\", database \"postgres\", no encryption"
            ),
            (
                "localhost", "sslmode=verify-full",
                "the server's certificate is not signed by a trusted authority (sslmode=verify-full; trusted: the system's; name the one that signed it with sslrootcert=FILE)"
            ),
            (
                "127.0.0.1", "sslmode=verify-full&sslrootcert=\(authority)",
                "the server's certificate is not for the host '127.0.0.1' (sslmode=verify-full checks the name)"
            ),
        ] {
            let address = try PostgresAddress("postgres://aw@\(host):\(port)/postgres?\(query)")
            await #expect(
                throws: DatastoreError.cannotOpen(path: "postgres://aw@\(host):\(port)/postgres", reason: reason)
            ) {
                try await PostgresStore.open(address)
            }
        }
    }

    @Test("SQLite → PostgreSQL → SQLite gives back every bucket, event and setting; running again adds nothing")
    func migrationRoundTrip() async throws {
        let folder = TemporaryDirectory()
        let original = try Datastore(path: folder.file("original.db"))
        var expected: [String: [Event]] = [:]
        for (index, id) in ["aw-watcher-window_desk", "aw-watcher-afk_desk", "empty"].enumerated() {
            try await original.createBucket(
                Bucket(
                    id: id, type: "t\(index)", client: "c", hostname: "desk", created: Self.start,
                    data: ["k": .string("v\(index)")]))
            if id == "empty" { continue }
            let events = (0..<2_500).map { second in
                Event(
                    timestamp: Self.start.advanced(byNanoseconds: Int64(second * 7) * 1_000_000_000),
                    durationNanoseconds: Int64(second % 5) * 1_000_000_000,
                    data: ["app": .string("app \(second % 13)"), "title": .string("t \(second)")])
            }
            // Two identical events: a copy keeps both.
            expected[id] = try await original.insertEvents(events + [events[0]], bucketID: id)
        }
        try await original.setSetting("theme", to: "dark")
        try await original.setSetting("startOfDay", to: "04:00")

        let postgres = try await PostgresStore.open(try await StoreKind.newPostgresDatabase())
        var lines: [String] = []
        let there = try await Migration(source: original, target: postgres, pageSize: 1_000).run { lines.append($0) }
        #expect(there == Migration.Totals(buckets: 3, inserted: 5_002, skipped: 0, settings: 2))
        #expect(lines.contains("aw-watcher-afk_desk: 2501/2501 events"))
        let again = try await Migration(source: original, target: postgres, pageSize: 1_000).run()
        #expect(again == Migration.Totals(buckets: 3, inserted: 0, skipped: 5_002, settings: 2))

        let copy = try Datastore(path: folder.file("copy.db"))
        let back = try await Migration(source: postgres, target: copy, pageSize: 999).run()
        #expect(back == Migration.Totals(buckets: 3, inserted: 5_002, skipped: 0, settings: 2))
        for store in [postgres, copy] as [any EventStore] {
            #expect(try await store.buckets().sorted { $0.id < $1.id } == original.buckets().sorted { $0.id < $1.id })
            for (id, events) in expected {
                let unclipped = try await store.events(bucketID: id).map(\.withoutID)
                #expect(unclipped.sorted(by: Self.order) == events.map(\.withoutID).sorted(by: Self.order), "\(id)")
            }
            #expect(try await store.settings() == ["theme": "dark", "startOfDay": "04:00"])
        }
        try await postgres.close()
        try copy.close()
        try original.close()
    }

    static func order(_ a: Event, _ b: Event) -> Bool {
        (a.timestamp, a.durationNanoseconds, a.data.description) < (
            b.timestamp, b.durationNanoseconds, b.data.description
        )
    }
}

extension Event {
    /// The event without its id (ids differ between stores).
    var withoutID: Event {
        var event = self
        event.id = nil
        return event
    }
}

/// A PostgreSQL cluster of the test's own (scripts/postgres-cluster.sh), to stop and start.
struct PrivateCluster {
    let folder = TemporaryDirectory()
    /// The cluster's files, in `folder`.
    let path: String
    let url: String
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/postgres-cluster.sh").path

    /// Creates and starts the cluster; with `tls`, it accepts only encrypted connections, with a
    /// certificate for "localhost" signed by the authority in `tls/ca.pem`.
    ///
    /// The port is chosen free, but creating the cluster takes seconds before its server binds
    /// the port, and a test running alongside may take it meanwhile: then a new cluster is made
    /// on another port, up to three times.
    init(tls: Bool = false) async throws {
        var failure: (any Error)?
        for attempt in 1...3 {
            let path = folder.file("cluster-\(attempt)")
            do {
                let output = try await Self.execute(
                    ["start", path, "\(freeLoopbackPort())"] + (tls ? ["--tls"] : []), log: "\(path)/server.log")
                self.path = path
                url = output.trimmingCharacters(in: .whitespacesAndNewlines)
                return
            } catch {
                failure = error
            }
        }
        throw failure!
    }

    /// A file of the cluster.
    func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Runs `scripts/postgres-cluster.sh COMMAND` on this cluster.
    func run(_ command: String) async throws {
        _ = try await Self.execute([command, path], log: file("server.log"))
    }

    /// Stops the server; the folder goes with `folder`.
    func remove() {
        _ = try? Self.executeBlocking(["stop", path], log: nil)
    }

    /// Runs the script on a thread of its own: creating a cluster takes seconds, which would hold
    /// up one of the few threads every other test's tasks run on.
    /// `log`: the server's log, whose end a failure reports.
    @discardableResult
    static func execute(_ arguments: [String], log: String?) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try executeBlocking(arguments, log: log) }) }.start()
        }
    }

    private static func executeBlocking(_ arguments: [String], log: String?) throws -> String {
        // Started with none of this process's descriptors: the PostgreSQL server the script
        // starts lives on, and would hold open any connection another test has open now.
        do {
            return try Programs.run([script] + arguments, environment: [:], requireSuccess: true, timeout: 120)
        } catch {
            let logEnd = log.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }.map {
                ": " + $0.split(separator: "\n").suffix(3).joined(separator: " | ")
            }
            throw ClusterError(
                message: "postgres-cluster.sh \(arguments.joined(separator: " ")) failed\(logEnd ?? ""): \(error)")
        }
    }

    struct ClusterError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
