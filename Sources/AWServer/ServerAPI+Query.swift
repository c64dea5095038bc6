import AWCore
import AWQuery

extension ServerAPI {
    /// Runs a query2 program once per time period and returns the JSON array of results.
    ///
    /// - Parameters:
    ///   - lines: The query, as lines (joined with newlines).
    ///   - periods: The time periods, each run with a fresh environment.
    /// - Throws: `QueryError` with the location of the problem.
    public func query2(lines: [String], periods: [TimePeriod]) async throws(QueryError) -> [UInt8] {
        let query = try Query(lines: lines)
        return try await query.runAndEncode(
            periods: periods, dataSource: StoreQuerySource(store: datastore), logger: logger)
    }
}
