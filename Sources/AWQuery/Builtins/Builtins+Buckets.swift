import AWCore
import AWTransform

extension Builtins {
    /// Reading buckets: `query_bucket`, `query_bucket_eventcount`, `query_bucket_names`, `find_bucket`.
    static let buckets: [Builtin] = [
        Builtin("query_bucket", "query_bucket(bucket_id)", arity: 1...1) { call throws(QueryError) in
            .events(try await read(call, bucketID: try call.string(0)))
        },
        Builtin("query_bucket_eventcount", "query_bucket_eventcount(bucket_id)", arity: 1...1) {
            call throws(QueryError) in
            .number(Double(try await read(call, bucketID: try call.string(0)).count))
        },
        Builtin("query_bucket_names", "query_bucket_names()", arity: 0...0) { call throws(QueryError) in
            .list(try await allBuckets(call).map(\.id).sorted().map { .string($0) })
        },
        Builtin("find_bucket", "find_bucket(prefix[, hostname])", arity: 1...2) { call throws(QueryError) in
            let prefix = try call.string(0)
            let hostname = call.arguments.count > 1 ? try call.string(1) : nil
            guard let id = Transform.findBucket(try await allBuckets(call), prefix: prefix, hostname: hostname) else {
                let filter = hostname.map { " and hostname '\($0)'" } ?? ""
                throw call.error(
                    0, "no bucket matches the prefix '\(prefix)'\(filter)",
                    hint: "query_bucket_names() lists the buckets")
            }
            return .string(id)
        },
    ]

    /// Every bucket of the data source.
    private static func allBuckets(_ call: Call) async throws(QueryError) -> [Bucket] {
        do {
            return try await call.dataSource.buckets()
        } catch {
            throw readFailure(error, "could not list the buckets", call)
        }
    }

    /// What a failed read of the data source makes of the query: unavailable for a moment, or a
    /// server fault.
    private static func readFailure(_ error: any Error, _ what: String, _ call: Call) -> QueryError {
        if case QueryDataSourceError.unavailable(let message) = error {
            return QueryError(.unavailable, message, at: call.location)
        }
        return QueryError(.internal, "\(what): \(error)", at: call.location)
    }

    /// The events of a bucket in the current `TIMEINTERVAL`, within what the run may still read.
    private static func read(_ call: Call, bucketID: String) async throws(QueryError) -> [Event] {
        let period = try call.period()
        let remaining = call.eventBudget.remaining
        let events: [Event]
        do {
            events = try await call.dataSource.events(bucketID: bucketID, in: period, limit: remaining + 1)
        } catch QueryDataSourceError.bucketNotFound {
            throw call.error(0, "bucket '\(bucketID)' does not exist", hint: "query_bucket_names() lists the buckets")
        } catch {
            throw readFailure(error, "could not read bucket '\(bucketID)'", call)
        }
        guard events.count <= remaining, call.eventBudget.spend(events.count) else {
            throw QueryError(
                .invalid,
                "the query would read more than \(call.eventBudget.limit) events from storage in one period (\(remaining) were left for bucket '\(bucketID)', which has more in this period)",
                at: call.location, hint: "query a shorter period, or raise query_max_events in config.toml")
        }
        return events
    }
}
