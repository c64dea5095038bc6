import AWCore
import AWDatastore
import AWQuery

extension Datastore: QueryDataSource {
    /// The events of a bucket in `period`, clipped, newest first (what `query_bucket` reads).
    public func events(bucketID: String, in period: TimePeriod) async throws -> [Event] {
        do {
            return try await events(bucketID: bucketID, start: period.start, end: period.end)
        } catch .bucketNotFound(let id) {
            throw QueryDataSourceError.bucketNotFound(id)
        }
    }
}
