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
        do {
            return try await store.buckets()
        } catch {
            throw Self.queryError(error)
        }
    }

    /// The newest `limit` events of a bucket in `period`, clipped, newest first (what
    /// `query_bucket` reads).
    public func events(bucketID: String, in period: TimePeriod, limit: Int) async throws -> [Event] {
        do {
            return try await store.events(bucketID: bucketID, start: period.start, end: period.end, limit: limit)
        } catch {
            throw Self.queryError(error)
        }
    }

    /// A store error as the query engine takes it: a missing bucket is the query's fault; a store
    /// that answers 503 elsewhere (busy, its server unreachable) is unavailable, with the same
    /// message a client gets from the other endpoints.
    private static func queryError(_ error: DatastoreError) -> any Error {
        switch error {
        case .bucketNotFound(let id): QueryDataSourceError.bucketNotFound(id)
        case _ where error.httpStatus == .serviceUnavailable: QueryDataSourceError.unavailable(error.clientMessage)
        default: error
        }
    }
}
