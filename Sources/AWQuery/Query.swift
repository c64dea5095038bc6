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
    /// - Parameter limits: `maximumEvents` bounds what the run reads; the run stops with the
    ///   time limit's error at its first statement, call or operator past `timeout`.
    /// - Returns: The value of `RETURN`.
    /// - Throws: `QueryError` naming the problem and where it is.
    public func run(
        period: TimePeriod, dataSource: any QueryDataSource, limits: QueryLimits = QueryLimits(),
        logger: Logger = Logger(label: "aw.query")
    ) async throws(QueryError) -> Value {
        try await run(
            period: period, dataSource: dataSource, limits: limits, deadline: .now + limits.timeout, logger: logger)
    }

    private func run(
        period: TimePeriod, dataSource: any QueryDataSource, limits: QueryLimits, deadline: ContinuousClock.Instant,
        logger: Logger
    ) async throws(QueryError) -> Value {
        var interpreter = Interpreter(
            source: source, period: period, dataSource: dataSource, limits: limits, deadline: deadline,
            logger: logger)
        return try await interpreter.run(statements)
    }

    /// Runs the query for each period in order and writes the JSON array of results, one per
    /// period, as `POST /api/0/query` answers.
    ///
    /// The runs happen in a task of their own, on `executor` when given (so that a long query
    /// does not hold up the threads that serve other requests). When they take longer than
    /// `limits.timeout`, this call throws at once and the task is cancelled; the task also stops
    /// by itself at its next step past the deadline.
    ///
    /// - Throws: `QueryError` from the first period that fails (no partial results), or the
    ///   time limit's.
    public func runAndEncode(
        periods: [TimePeriod], dataSource: any QueryDataSource, limits: QueryLimits = QueryLimits(),
        executor: (any TaskExecutor)? = nil, logger: Logger = Logger(label: "aw.query")
    ) async throws(QueryError) -> [UInt8] {
        let deadline = ContinuousClock.now + limits.timeout
        let work = Task(executorPreference: executor) { () async -> Result<[UInt8], QueryError> in
            do throws(QueryError) {
                var writer = JSONWriter(capacity: 4096)
                writer.writeByte(UInt8(ascii: "["))
                for (index, period) in periods.enumerated() {
                    if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
                    try await run(
                        period: period, dataSource: dataSource, limits: limits, deadline: deadline, logger: logger
                    ).writeResult(to: &writer)
                }
                writer.writeByte(UInt8(ascii: "]"))
                return .success(writer.bytes)
            } catch {
                return .failure(error)
            }
        }
        guard let outcome = await work.result(within: limits.timeout) else {
            logger.warning(
                "query stopped at its time limit", metadata: ["query.timeout_seconds": "\(limits.timeoutText)"])
            throw limits.timeoutError
        }
        return try outcome.get()
    }
}
