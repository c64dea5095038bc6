import AWClient
import AWCore
import ArgumentParser
import Foundation
import Synchronization

/// `aw buckets list|show|delete`.
struct BucketsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "buckets",
        abstract: "List, show and delete buckets.",
        subcommands: [List.self, Show.self, Delete.self],
        defaultSubcommand: List.self
    )

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the buckets with their time span (the default).")

        @OptionGroup var server: ServerOptions

        func run(client: ActivityWatchClient) async throws {
            let buckets = try await client.buckets().values.sorted { $0.id < $1.id }
            if server.json {
                return Output.print(.object(Dictionary(uniqueKeysWithValues: buckets.map { ($0.id, $0.json) })))
            }
            guard !buckets.isEmpty else { return Output.note("no buckets on \(client.serverURL)") }
            Output.printTable(
                ["ID", "TYPE", "HOSTNAME", "CLIENT", "FIRST EVENT", "LAST EVENT"],
                buckets.map { bucket in
                    [
                        bucket.id, bucket.type, bucket.hostname, bucket.client,
                        bucket.metadata.start.map(Output.localTime) ?? "-",
                        bucket.metadata.end.map(Output.localTime) ?? "-",
                    ]
                })
        }
    }

    struct Show: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Show one bucket: metadata, event count, last event.")

        @OptionGroup var server: ServerOptions

        @Argument(help: "The bucket's id.", completion: .custom(BucketsCommand.completeBucketIDs))
        var bucket: String

        func run(client: ActivityWatchClient) async throws {
            let metadata = try await client.bucket(bucket)
            let count = try await client.eventCount(bucketID: bucket)
            let last = try await client.events(bucketID: bucket, limit: 1).first
            if server.json {
                var object = metadata.json.objectValue ?? [:]
                object["event_count"] = .int(Int64(count))
                object["last_event"] = last?.json ?? .null
                return Output.print(.object(object))
            }
            var pairs = [
                ("id", metadata.id), ("type", metadata.type), ("client", metadata.client),
                ("hostname", metadata.hostname),
                ("created", Output.localTime(metadata.created)), ("events", "\(count)"),
                ("first event", metadata.metadata.start.map(Output.localTime) ?? "-"),
                ("last event", metadata.metadata.end.map(Output.localTime) ?? "-"),
            ]
            if !metadata.data.isEmpty { pairs.append(("data", JSON.object(metadata.data).serialized())) }
            if let last {
                pairs.append(
                    (
                        "last",
                        "\(Output.duration(last.durationSeconds)) \(Output.truncated(JSON.object(last.data).serialized()))"
                    ))
            }
            Output.printPairs(pairs)
        }
    }

    struct Delete: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a bucket and all its events.")

        @OptionGroup var server: ServerOptions

        @Argument(help: "The bucket's id.", completion: .custom(BucketsCommand.completeBucketIDs))
        var bucket: String

        @Flag(name: [.customShort("y"), .long], help: "Do not ask for confirmation.")
        var yes = false

        func run(client: ActivityWatchClient) async throws {
            let count = try await client.eventCount(bucketID: bucket)
            if !yes {
                guard isatty(STDIN_FILENO) == 1 else {
                    throw CommandFailure("not deleting '\(bucket)' (\(count) events) without --yes")
                }
                FileHandle.standardError.write(Data("Delete bucket '\(bucket)' and its \(count) events? [y/N] ".utf8))
                guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                    return Output.note("not deleted")
                }
            }
            try await client.deleteBucket(bucket, force: true)
            Output.note("deleted bucket '\(bucket)' (\(count) events)")
        }
    }

    /// Bucket ids for shell completion (asks the default server; nothing when it is not there).
    static func completeBucketIDs(_ arguments: [String]) -> [String] {
        let testing = arguments.contains("--testing")
        let url: String? = arguments.firstIndex(of: "--url").flatMap {
            $0 + 1 < arguments.count ? arguments[$0 + 1] : nil
        }
        let result = Mutex<[String]>([])
        let done = DispatchSemaphore(value: 0)
        var options: [String] = testing ? ["--testing"] : []
        if let url { options += ["--url", url] }
        Task { [options] in
            defer { done.signal() }
            guard let options = try? ServerOptions.parse(options),
                let client = try? options.client(), let buckets = try? await client.buckets()
            else { return }
            result.withLock { $0 = buckets.keys.sorted() }
        }
        _ = done.wait(timeout: .now() + 2)
        return result.withLock { $0 }
    }
}
