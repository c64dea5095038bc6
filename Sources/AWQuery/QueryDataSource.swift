import AWCore

/// What a query may read: the buckets, and a bucket's events within a period.
public protocol QueryDataSource: Sendable {
    /// Every bucket.
    ///
    /// - Throws: `QueryDataSourceError.unavailable` when the storage cannot be read just now;
    ///   any other error is a server fault.
    func buckets() async throws -> [Bucket]

    /// The events of a bucket overlapping `period` (both ends included), clipped to it, newest
    /// first, at most `limit` of them (the newest).
    ///
    /// - Throws: `QueryDataSourceError.bucketNotFound` for an unknown bucket, `.unavailable`
    ///   when the storage cannot be read just now; any other error is a server fault.
    func events(bucketID: String, in period: TimePeriod, limit: Int) async throws -> [Event]
}

/// Failures a data source reports to the query engine as the query's fault.
public enum QueryDataSourceError: Error, Sendable, Equatable {
    case bucketNotFound(String)
    /// The storage cannot be read just now (busy, or its server unreachable), with a message
    /// fit for the client.
    case unavailable(String)
}
