import AWCore
import AWDatastore
import AWQuery

/// Runs query text against a real (in-memory) datastore.
struct QueryRunner {
    let store: Datastore
    let period = try! TimePeriod(parsing: "2024-01-01T00:00:00Z/2024-01-02T00:00:00Z")

    init() throws {
        store = try Datastore.inMemory()
    }

    /// A bucket with the given events.
    func bucket(_ id: String, hostname: String = "host", events: [Event]) async throws {
        try await store.createBucket(Bucket(id: id, type: "t", client: "c", hostname: hostname))
        _ = try await store.insertEvents(events, bucketID: id)
    }

    /// The JSON result of `source` for one period, as text.
    func run(_ source: String, limits: QueryLimits = QueryLimits()) async throws(QueryError) -> String {
        let query = try Query(source: source)
        let bytes = try await query.runAndEncode(
            periods: [period], dataSource: DatastoreSource(store: store), limits: limits)
        let text = String(decoding: bytes, as: UTF8.self)
        return String(text.dropFirst().dropLast())  // the single period's result
    }

    /// The error `source` fails with.
    func failure(_ source: String, limits: QueryLimits = QueryLimits()) async -> QueryError? {
        do {
            _ = try await run(source, limits: limits)
            return nil
        } catch {
            return error
        }
    }
}

/// The datastore as the query engine reads it (the server wires the same thing up).
struct DatastoreSource: QueryDataSource {
    let store: Datastore
    func buckets() async throws -> [Bucket] { store.buckets() }
    func events(bucketID: String, in period: TimePeriod, limit: Int) async throws -> [Event] {
        do {
            return try await store.events(bucketID: bucketID, start: period.start, end: period.end, limit: limit)
        } catch .bucketNotFound(let id) {
            throw QueryDataSourceError.bucketNotFound(id)
        }
    }
}

/// An event on 2024-01-01 at `hour` hours (fractions allowed).
func event(_ hour: Double, minutes: Double, _ data: [String: JSON]) -> Event {
    Event(
        timestamp: Timestamp(nanoseconds: 1_704_067_200 * 1_000_000_000 + Int64(hour * 3600e9)),
        durationNanoseconds: Int64(minutes * 60e9), data: data)
}
