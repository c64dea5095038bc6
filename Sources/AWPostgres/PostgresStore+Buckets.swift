import AWCore
import AWDatastore
import PostgresNIO

extension PostgresStore {
    /// The bucket columns with metadata: the earliest start, and the latest end (found among the
    /// events starting at most the bucket's longest event duration before its latest start).
    static let bucketColumns = """
        SELECT b.name, b.type, b.client, b.hostname, b.created, b.data,
            (SELECT MIN(starttime) FROM events WHERE bucketrow = b.id),
            (SELECT MAX(endtime) FROM events WHERE bucketrow = b.id
                AND starttime >= (SELECT MAX(starttime) FROM events WHERE bucketrow = b.id) - b.max_duration)
        FROM buckets b
        """

    public func buckets() async throws(DatastoreError) -> [Bucket] {
        try await perform { connection in
            try await Self.decodeBuckets(connection.run(PostgresQuery(unsafeSQL: Self.bucketColumns)))
        }
    }

    public func bucket(id: String) async throws(DatastoreError) -> Bucket {
        var query = PostgresQuery(unsafeSQL: Self.bucketColumns + " WHERE b.name = $1")
        query.binds.append(id)
        let found = try await perform { [query] connection in try await Self.decodeBuckets(connection.run(query)) }
        guard let bucket = found.first else { throw .bucketNotFound(id: id) }
        return bucket
    }

    private static func decodeBuckets(_ rows: PostgresRowSequence) async throws -> [Bucket] {
        var buckets: [Bucket] = []
        for try await (id, type, client, hostname, created, data, start, end) in rows.decode(
            (String, String, String, String, String, String, Int64?, Int64?).self)
        {
            buckets.append(
                Bucket(
                    id: id, type: type, client: client, hostname: hostname,
                    created: (try? Timestamp(rfc3339: created)) ?? Timestamp(nanoseconds: 0),
                    data: (try? JSON.parse(data))?.objectValue ?? [:],
                    metadata: BucketMetadata(
                        start: start.map(Timestamp.init(nanoseconds:)), end: end.map(Timestamp.init(nanoseconds:)))
                ))
        }
        return buckets
    }

    public func createBucket(_ bucket: Bucket) async throws(DatastoreError) {
        let created = try await perform { connection in
            try await connection.run(Self.insertBucket(bucket)).all().count == 1
        }
        guard created else { throw .bucketAlreadyExists(id: bucket.id) }
        logger.debug("created bucket", metadata: ["bucket.id": "\(bucket.id)"])
    }

    /// Creates the bucket unless one with its id exists; returns its row id only when it created it.
    static func insertBucket(_ bucket: Bucket) -> PostgresQuery {
        """
        INSERT INTO buckets (name, type, client, hostname, created, data)
        VALUES (\(bucket.id), \(bucket.type), \(bucket.client), \(bucket.hostname), \(bucket.created.rfc3339),
            \(JSON.object(bucket.data).serialized()))
        ON CONFLICT (name) DO NOTHING RETURNING id
        """
    }

    public func updateBucket(id: String, type: String?, client: String?, hostname: String?, data: [String: JSON]?)
        async throws(DatastoreError)
    {
        let dataText = data.map { JSON.object($0).serialized() }
        let updated = try await perform { connection in
            let rows = try await connection.run(
                """
                UPDATE buckets SET type = COALESCE(\(type), type), client = COALESCE(\(client), client),
                    hostname = COALESCE(\(hostname), hostname), data = COALESCE(\(dataText), data)
                WHERE name = \(id) RETURNING id
                """)
            return try await rows.all().count == 1
        }
        guard updated else { throw .bucketNotFound(id: id) }
    }

    public func deleteBucket(id: String) async throws(DatastoreError) {
        let deleted = try await perform { connection in
            try await connection.run("DELETE FROM buckets WHERE name = \(id) RETURNING id").all().count == 1
        }
        guard deleted else { throw .bucketNotFound(id: id) }
        logger.debug("deleted bucket", metadata: ["bucket.id": "\(id)"])
    }

    /// The row id and longest event duration of a bucket, read inside `connection`'s
    /// transaction; `lock` holds the row until the transaction ends (`FOR UPDATE` for every
    /// write that changes the bucket row, taken before anything else so that writers queue on
    /// it instead of deadlocking).
    static func bucketRow(_ id: String, lock: String, on connection: PostgresConnection) async throws -> (
        row: Int64, maximumDuration: Int64
    ) {
        var query = PostgresQuery(unsafeSQL: "SELECT id, max_duration FROM buckets WHERE name = $1 \(lock)")
        query.binds.append(id)
        for try await found in try await connection.run(query).decode((Int64, Int64).self) {
            return found
        }
        throw DatastoreError.bucketNotFound(id: id)
    }

    /// The row id and longest event duration of a bucket, outside any transaction.
    func bucketRow(_ id: String) async throws(DatastoreError) -> (row: Int64, maximumDuration: Int64) {
        try await perform { connection in try await Self.bucketRow(id, lock: "", on: connection) }
    }
}
