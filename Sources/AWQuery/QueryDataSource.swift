import AWCore

/// What a query may read: the buckets, and a bucket's events within a period.
public protocol QueryDataSource: Sendable {
    /// Every bucket.
    ///
    /// - Throws: any error is a server fault.
    func buckets() async throws -> [Bucket]

    /// The events of a bucket overlapping `period` (both ends included), clipped to it, newest
    /// first.
    ///
    /// - Throws: `QueryDataSourceError.bucketNotFound` for an unknown bucket; any other error
    ///   is a server fault.
    func events(bucketID: String, in period: TimePeriod) async throws -> [Event]
}

/// Failures a data source reports to the query engine as the query's fault.
public enum QueryDataSourceError: Error, Sendable, Equatable {
    case bucketNotFound(String)
}
