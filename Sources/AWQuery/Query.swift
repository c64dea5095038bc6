import AWCore
import Logging

/// A parsed query2 program, ready to run once per time period.
///
/// ```swift
/// let query = try Query(lines: ["events = query_bucket(\"aw-watcher-window_host\");", "RETURN = events;"])
/// let results = try await query.run(periods: [period], dataSource: datastore)
/// ```
public struct Query: Sendable {
    /// The query text (lines joined with newlines, as aw-server-rust joins them).
    public let source: String
    let statements: [Statement]

    /// Parses query text.
    ///
    /// - Throws: `QueryError` (kind `.syntax`) at the first problem.
    public init(source: String) throws(QueryError) {
        self.source = source
        var parser = Parser(source: source)
        statements = try parser.parse()
    }

    /// Parses the lines of a REST query request, joined with newlines.
    public init(lines: [String]) throws(QueryError) {
        try self.init(source: lines.joined(separator: "\n"))
    }

    /// Runs the query for one period, in a fresh environment.
    ///
    /// - Returns: The value of `RETURN`.
    /// - Throws: `QueryError` naming the problem and where it is.
    public func run(period: TimePeriod, dataSource: any QueryDataSource, logger: Logger = Logger(label: "aw.query"))
        async throws(QueryError) -> Value
    {
        var interpreter = Interpreter(source: source, period: period, dataSource: dataSource, logger: logger)
        return try await interpreter.run(statements)
    }

    /// Runs the query for each period in order and writes the JSON array of results, one per
    /// period, as `POST /api/0/query` answers.
    ///
    /// - Throws: `QueryError` from the first period that fails (no partial results).
    public func runAndEncode(
        periods: [TimePeriod], dataSource: any QueryDataSource, logger: Logger = Logger(label: "aw.query")
    ) async throws(QueryError) -> [UInt8] {
        var writer = JSONWriter(capacity: 4096)
        writer.writeByte(UInt8(ascii: "["))
        for (index, period) in periods.enumerated() {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            try await run(period: period, dataSource: dataSource, logger: logger).writeResult(to: &writer)
        }
        writer.writeByte(UInt8(ascii: "]"))
        return writer.bytes
    }
}
