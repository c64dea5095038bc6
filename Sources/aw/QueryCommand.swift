import AWClient
import AWCore
import ArgumentParser
import Foundation

/// `aw query`.
struct QueryCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run a query2 program over one or more time periods.",
        discussion: """
            The program is given inline or with --file. Periods: --period START/END (repeatable), or \
            --start/--end (default: the last 24 hours). Example:
              aw query 'RETURN = merge_events_by_keys(query_bucket(find_bucket("aw-watcher-window_")), ["app"]);' --start today
            """
    )

    @OptionGroup var server: ServerOptions

    @Argument(help: "The query2 program.")
    var program: String?

    @Option(
        name: [.customShort("f"), .long], help: "Read the program from this file ('-': standard input).",
        completion: .file())
    var file: String?

    @Option(
        parsing: .unconditional, help: "The period's start (default 24 hours ago).", transform: TimeArgument.transform)
    var start: Timestamp?

    @Option(parsing: .unconditional, help: "The period's end (default now).", transform: TimeArgument.transform)
    var end: Timestamp?

    @Option(
        parsing: .unconditionalSingleValue,
        help: "A period START/END, each end as for --start; repeat for several periods.")
    var period: [String] = []

    @Option(help: "A name under which the server may cache results (with --cache).")
    var name: String?

    @Flag(help: "Let the server reuse cached results for past periods.")
    var cache = false

    func validate() throws {
        if (program == nil) == (file == nil) {
            throw ValidationError("give the program inline or with --file, not both")
        }
        if !period.isEmpty && (start != nil || end != nil) {
            throw ValidationError("use --period or --start/--end, not both")
        }
        if cache && name == nil { throw ValidationError("--cache needs --name") }
    }

    /// The periods to query.
    func periods() throws -> [TimePeriod] {
        guard !period.isEmpty else {
            let end = end ?? .now
            let start = start ?? end.advanced(byNanoseconds: -86_400_000_000_000)
            guard start <= end else { throw ValidationError("--end is before --start") }
            return [TimePeriod(start: start, end: end)]
        }
        return try period.map { text in
            let halves = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard halves.count == 2 else { throw ValidationError("--period '\(text)' is not START/END") }
            let start = try TimeArgument.transform(halves[0])
            let end = try TimeArgument.transform(halves[1])
            guard start <= end else { throw ValidationError("--period '\(text)' ends before it starts") }
            return TimePeriod(start: start, end: end)
        }
    }

    func run(client: ActivityWatchClient) async throws {
        let source: String
        if let file {
            if file == "-" {
                source = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            } else {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw CommandFailure("\(file): no such file")
                }
                source = String(decoding: data, as: UTF8.self)
            }
        } else {
            source = program!
        }
        let periods = try periods()
        let results = try await client.query(source, timeperiods: periods, name: name, cache: cache)
        if server.json { return Output.print(.array(results)) }
        for (period, result) in zip(periods, results) {
            if periods.count > 1 { print("# \(Output.localTime(period.start)) – \(Output.localTime(period.end))") }
            Self.printResult(result)
        }
    }

    /// A list of events as a table (sorted as returned), anything else as JSON.
    static func printResult(_ result: JSON) {
        guard case .array(let items) = result, let events = try? Event.array(json: result), !items.isEmpty else {
            return Output.print(result)
        }
        Output.printTable(
            ["START", "DURATION", "DATA"],
            events.map { event in
                [
                    Output.localTime(event.timestamp), Output.duration(event.durationSeconds),
                    Output.truncated(JSON.object(event.data).serialized()),
                ]
            })
        let total = events.reduce(0) { $0 + $1.durationSeconds }
        print("\(events.count) events, \(Output.duration(total)) in total")
    }
}
