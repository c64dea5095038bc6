import AWClient
import AWCore
import ArgumentParser
import Foundation

/// `aw export`.
struct ExportCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export every bucket, or one, with its events as JSON (the format `aw import` and the web UI read)."
    )

    @OptionGroup var server: ServerOptions

    @Argument(help: "Only this bucket.", completion: .custom(BucketsCommand.completeBucketIDs))
    var bucket: String?

    @Option(
        name: [.customShort("o"), .long], help: "Write to this file (default: standard output).", completion: .file())
    var output: String?

    func run(client: ActivityWatchClient) async throws {
        guard let output else {
            _ = try await client.export(bucketID: bucket, to: .standardOutput)
            return
        }
        // Written beside the target and renamed, so a failed export leaves no half file.
        let partial = output + ".partial"
        guard FileManager.default.createFile(atPath: partial, contents: nil),
            let file = FileHandle(forWritingAtPath: partial)
        else {
            throw CommandFailure("\(output): cannot create the file")
        }
        do {
            let bytes = try await client.export(bucketID: bucket, to: file)
            try file.close()
            _ = try? FileManager.default.removeItem(atPath: output)
            try FileManager.default.moveItem(atPath: partial, toPath: output)
            Output.note(
                "exported \(bucket.map { "bucket '\($0)'" } ?? "every bucket") to \(output) (\(ByteCountFormatter.string(fromByteCount: Int64(bytes), countStyle: .file)))"
            )
        } catch {
            try? file.close()
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }
}

/// `aw import`.
struct ImportCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import buckets from an export file (aw export, the web UI's export, or aw-server-rust's).",
        discussion: "Buckets that already exist on the server are refused; nothing of them is changed."
    )

    @OptionGroup var server: ServerOptions

    @Argument(help: "The export file.", completion: .file(extensions: ["json"]))
    var file: String

    func run(client: ActivityWatchClient) async throws {
        let progress = ProgressBar(label: "importing \((file as NSString).lastPathComponent)")
        let answer = try await client.importFile(atPath: file) { sent, total in progress.update(sent, of: total) }
        progress.finish()
        if server.json { return Output.print(answer) }
        let buckets = answer["buckets"]?.objectValue ?? [:]
        Output.printTable(
            ["BUCKET", "EVENTS IMPORTED", "SKIPPED (ALREADY THERE)"],
            buckets.keys.sorted().map { id in
                [
                    id, buckets[id]?["inserted"].map { $0.serialized() } ?? "-",
                    buckets[id]?["skipped"].map { $0.serialized() } ?? "-",
                ]
            })
    }
}

/// A progress bar on standard error, drawn when it is a terminal and the work is big enough to
/// wait for (over 4 MiB).
final class ProgressBar: Sendable {
    private let label: String
    private let enabled = isatty(STDERR_FILENO) == 1

    init(label: String) {
        self.label = label
    }

    func update(_ done: Int, of total: Int) {
        guard enabled, total > 4 << 20 else { return }
        let fraction = Double(done) / Double(max(total, 1))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        FileHandle.standardError.write(
            Data(
                "\r\(label) [\(bar)] \(Int(fraction * 100))% of \(ByteCountFormatter.string(fromByteCount: Int64(total), countStyle: .file))"
                    .utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
