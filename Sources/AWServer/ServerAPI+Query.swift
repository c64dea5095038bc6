import AWCore
import AWDatastore
import AWQuery

extension ServerAPI {
    /// Runs a query2 program once per time period and returns the JSON array of results.
    ///
    /// The query is parsed and run on the query threads, within `queryLimits`.
    ///
    /// - Parameters:
    ///   - lines: The query, as lines (joined with newlines).
    ///   - periods: The time periods, each run with a fresh environment.
    /// - Throws: `QueryError` with the location of the problem, or a limit's.
    public func query2(lines: [String], periods: [TimePeriod]) async throws(QueryError) -> [UInt8] {
        HeapMemory.noteLargeRequest()
        return try await withTaskExecutorPreference(QueryExecutor.shared) { () async throws(QueryError) -> [UInt8] in
            let query = try Query(lines: lines)
            // The query threads may wait for SQLite, so the query's reads run on them.
            let outcome = await ReadPlacement.$onCallingThread.withValue(true) {
                () async -> Result<[UInt8], QueryError> in
                do throws(QueryError) {
                    return .success(
                        try await query.runAndEncode(
                            periods: periods, dataSource: StoreQuerySource(store: datastore), limits: queryLimits,
                            executor: QueryExecutor.shared, logger: logger))
                } catch {
                    return .failure(error)
                }
            }
            return try outcome.get()
        }
    }
}
