import AWClient
import AWCore
import ArgumentParser
import Foundation

/// `aw`: the ActivityWatch REST API from the command line.
@main
struct AWCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aw",
        abstract: "Read and change the data of an ActivityWatch server from the command line.",
        discussion: """
            The server is the one in aw-client.toml (http://127.0.0.1:5600 by default, 5666 with \
            --testing) unless --url names another. Output is a table for people; --json prints JSON \
            for scripts. Times are RFC 3339 (2026-05-01T09:00:00+02:00), local dates or times \
            (2026-05-01, 2026-05-01T09:00), today, yesterday, now, or relative to now (-30m, -2h, -7d).
            Shell completions: aw --generate-completion-script bash|zsh|fish.
            """,
        version: ProductVersion.display,
        subcommands: [
            InfoCommand.self, BucketsCommand.self, EventsCommand.self, HeartbeatCommand.self, QueryCommand.self,
            ExportCommand.self, ImportCommand.self,
        ]
    )
}

/// Options every subcommand takes.
struct ServerOptions: ParsableArguments {
    @Option(help: "The server, e.g. http://127.0.0.1:5600 or https://aw.example.org (default from aw-client.toml).")
    var url: String?

    @Flag(help: "Talk to the testing server (port 5666).")
    var testing = false

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    func validate() throws {
        if let url { _ = try Self.hostAndPort(url) }
    }

    /// The client for the chosen server.
    func client() throws -> ActivityWatchClient {
        let target = try url.map(Self.hostAndPort)
        let configuration = try ClientConfiguration.load(
            testing: testing, host: target?.host, port: target?.port, https: target?.https)
        return try ActivityWatchClient(clientName: "aw-cli", testing: testing, configuration: configuration)
    }

    /// The host and port of an `http://host[:port]` or `https://host[:port]` URL.
    static func hostAndPort(_ url: String) throws -> (host: String, port: Int, https: Bool) {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty,
            components.path.isEmpty || components.path == "/"
        else {
            throw ValidationError("--url '\(url)' is not a server address like http://127.0.0.1:5600")
        }
        return (host, components.port ?? (scheme == "https" ? 443 : 80), scheme == "https")
    }
}

/// A subcommand that talks to the server: errors become one clear line and exit code 1.
protocol ClientCommand: AsyncParsableCommand {
    var server: ServerOptions { get }
    func run(client: ActivityWatchClient) async throws
}

extension ClientCommand {
    func run() async throws {
        let client = try server.client()
        do {
            try await run(client: client)
        } catch let error as ClientError {
            throw CommandFailure(error)
        }
    }
}

/// A failure to show as `Error: <message>`.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ message: String) { description = message }

    /// The server's own message for a refused request; otherwise what went wrong.
    init(_ error: ClientError) {
        guard case .http(_, let message, _) = error else {
            description = "\(error)"
            return
        }
        // Query diagnostics come as "error: ...", and the line is printed after "Error: ".
        description = message.hasPrefix("error: ") ? String(message.dropFirst(7)) : message
    }
}

/// `aw info`.
struct InfoCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show the server's version and host.")

    @OptionGroup var server: ServerOptions

    func run(client: ActivityWatchClient) async throws {
        let info = try await client.info()
        if server.json { return Output.print(JSON.object(info)) }
        Output.printPairs(
            [("server", client.serverURL)]
                + info.keys.sorted().map { ($0, info[$0]!.stringValue ?? info[$0]!.serialized()) })
    }
}
