import Synchronization

/// What one query may take: time, and events read from storage.
///
/// A query request runs every period within `timeout`; past it the query is stopped and answers
/// an error naming the limit. Each period's run may read at most `maximumEvents` events in all
/// (`query_bucket` and `query_bucket_eventcount` calls added up), which bounds the memory a query
/// takes. `Value.maximumSize` bounds what a query builds from them.
public struct QueryLimits: Sendable, Hashable {
    /// How long a whole query request may run.
    public var timeout: Duration
    /// The most events one period's run may read from storage.
    public var maximumEvents: Int

    /// The defaults: 30 seconds, 10 million events (a year of a busy window bucket is about 6
    /// million).
    public init(timeout: Duration = .seconds(30), maximumEvents: Int = 10_000_000) {
        self.timeout = timeout
        self.maximumEvents = maximumEvents
    }

    /// What a query that ran past `timeout` is answered with.
    var timeoutError: QueryError {
        QueryError(
            .invalid, "the query ran longer than its time limit of \(timeoutText) s and was stopped",
            hint: "query a shorter period, or raise query_timeout (seconds) in config.toml")
    }

    /// The timeout in seconds as messages print it: `30`, `0.5`.
    var timeoutText: String {
        let (seconds, attoseconds) = timeout.components
        return attoseconds == 0 ? "\(seconds)" : "\(Double(seconds) + Double(attoseconds) / 1e18)"
    }
}

/// The events one run of a query may still read, shared by its calls.
final class EventBudget: Sendable {
    let limit: Int
    private let used = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// How many more events may be read.
    var remaining: Int { max(0, limit - used.load(ordering: .relaxed)) }

    /// Records `count` events read.
    ///
    /// - Returns: Whether they fit in the budget.
    func spend(_ count: Int) -> Bool {
        used.add(count, ordering: .relaxed).newValue <= limit
    }
}
