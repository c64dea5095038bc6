import AWCore
import AWDatastore
import AWQuery

/// A store as the query engine reads it.
public struct StoreQuerySource: QueryDataSource {
    /// The store read.
    public let store: any EventStore

    public init(store: any EventStore) {
        self.store = store
    }

    public func buckets() async throws -> [Bucket] {
        try await store.buckets()
    }

    /// The events of a bucket in `period`, clipped, newest first (what `query_bucket` reads).
    public func events(bucketID: String, in period: TimePeriod) async throws -> [Event] {
        do {
            return try await store.events(bucketID: bucketID, start: period.start, end: period.end, limit: nil)
        } catch .bucketNotFound(let id) {
            throw QueryDataSourceError.bucketNotFound(id)
        }
    }
}
