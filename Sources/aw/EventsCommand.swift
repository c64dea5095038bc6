import AWClient
import AWCore
import ArgumentParser
import Foundation

/// `aw events list|insert`.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List and insert events.",
        subcommands: [List.self, Insert.self],
        defaultSubcommand: List.self
    )

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "List a bucket's events, newest first (the default).")

        @OptionGroup var server: ServerOptions

        @Argument(help: "The bucket's id.", completion: .custom(BucketsCommand.completeBucketIDs))
        var bucket: String

        @Option(
            parsing: .unconditional, help: "Only events that end after this time.", transform: TimeArgument.transform)
        var start: Timestamp?

        @Option(
            parsing: .unconditional, help: "Only events that start before this time.", transform: TimeArgument.transform
        )
        var end: Timestamp?

        @Option(parsing: .unconditional, help: "At most this many events (-1 for all).")
        var limit = 20

        func validate() throws {
            if let start, let end, end < start { throw ValidationError("--end is before --start") }
            if limit < -1 { throw ValidationError("--limit must be -1 (all) or a number of events") }
        }

        func run(client: ActivityWatchClient) async throws {
            let events = try await client.events(bucketID: bucket, limit: limit, start: start, end: end)
            if server.json { return Output.print(.array(events.map(\.json))) }
            guard !events.isEmpty else { return Output.note("no events") }
            Output.printTable(
                ["ID", "START", "DURATION", "DATA"],
                events.map { event in
                    [
                        event.id.map(String.init) ?? "-", Output.localTime(event.timestamp),
                        Output.duration(event.durationSeconds), Output.truncated(JSON.object(event.data).serialized()),
                    ]
                })
        }
    }

    struct Insert: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Insert events from JSON: one event or a list.",
            discussion: """
                Each event is {"timestamp": "...", "duration": seconds, "data": {...}}, as the REST API \
                takes it. Example: echo '{"timestamp":"2026-05-01T09:00:00Z","duration":60,"data":{"label":"call"}}' \
                | aw events insert my-bucket
                """
        )

        @OptionGroup var server: ServerOptions

        @Argument(help: "The bucket's id.", completion: .custom(BucketsCommand.completeBucketIDs))
        var bucket: String

        @Argument(
            help: "A JSON file with the events ('-' or none: standard input).", completion: .file(extensions: ["json"]))
        var file = "-"

        func run(client: ActivityWatchClient) async throws {
            let document = try JSON.file(file)
            let events: [Event]
            do {
                if case .array = document {
                    events = try Event.array(json: document)
                } else {
                    events = [try Event(json: document)]
                }
            } catch {
                throw CommandFailure("\(file == "-" ? "standard input" : file): \(error)")
            }
            try await client.insertEvents(events, bucketID: bucket)
            Output.note("inserted \(events.count) event\(events.count == 1 ? "" : "s") into '\(bucket)'")
        }
    }
}

/// `aw heartbeat`.
struct HeartbeatCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "heartbeat",
        abstract: "Send a heartbeat: extend the bucket's last event if its data is the same, else start a new one.",
        discussion: "Example: aw heartbeat my-bucket '{\"status\":\"focused\"}' --pulsetime 120"
    )

    @OptionGroup var server: ServerOptions

    @Argument(help: "The bucket's id.", completion: .custom(BucketsCommand.completeBucketIDs))
    var bucket: String

    @Argument(help: "The event's data, a JSON object.")
    var data: String

    @Option(help: "Seconds after the last event's end within which it is extended.")
    var pulsetime = 60.0

    @Option(parsing: .unconditional, help: "The heartbeat's time (default now).", transform: TimeArgument.transform)
    var timestamp: Timestamp?

    @Option(help: "The heartbeat's duration in seconds.")
    var duration = 0.0

    @Option(help: "Create the bucket with this type first if it does not exist (e.g. app.editor.activity).")
    var create: String?

    func validate() throws {
        if !(pulsetime >= 0) { throw ValidationError("--pulsetime must be a number of seconds ≥ 0") }
        if !(duration >= 0) { throw ValidationError("--duration must be a number of seconds ≥ 0") }
    }

    func run(client: ActivityWatchClient) async throws {
        guard case .object(let fields) = try JSON.argument(data, what: "the data") else {
            throw CommandFailure("the data must be a JSON object, like '{\"label\": \"writing\"}'")
        }
        if let create { try await client.createBucket(bucket, type: create) }
        let event = Event(
            timestamp: timestamp ?? .now, durationNanoseconds: Int64((duration * 1e9).rounded()), data: fields)
        let merged = try await client.heartbeat(event, bucketID: bucket, pulsetime: pulsetime) ?? event
        if server.json { return Output.print(merged.json) }
        Output.printPairs([
            ("bucket", bucket), ("event", merged.timestamp == event.timestamp ? "new" : "extended"),
            ("start", Output.localTime(merged.timestamp)), ("duration", Output.duration(merged.durationSeconds)),
        ])
    }
}
