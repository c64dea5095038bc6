import AWCore
import Hummingbird

/// `/api/0/buckets`: list, get, create, update and delete buckets.
struct BucketsController {
    let api: ServerAPI

    var routes: [Route] {
        [
            Route(.get, "/api/0/buckets", list),
            Route(.get, "/api/0/buckets/{}", get),
            Route(.post, "/api/0/buckets/{}", create),
            Route(.put, "/api/0/buckets/{}", update),
            Route(.delete, "/api/0/buckets/{}", delete),
        ]
    }

    /// All buckets as `{"<id>": bucket, ...}`.
    @Sendable func list(_ request: APIRequest) async throws -> Response {
        let buckets = try await api.getBuckets()
        var writer = JSONWriter(capacity: 512 * max(1, buckets.count))
        writer.writeByte(UInt8(ascii: "{"))
        for (index, id) in buckets.keys.sorted().enumerated() {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            writer.write(id)
            writer.writeByte(UInt8(ascii: ":"))
            buckets[id]!.write(to: &writer)
        }
        writer.writeByte(UInt8(ascii: "}"))
        return .json(bytes: writer.bytes)
    }

    @Sendable func get(_ request: APIRequest) async throws -> Response {
        let bucket = try await api.getBucketMetadata(bucketID: request.parameters[0])
        var writer = JSONWriter()
        bucket.write(to: &writer)
        return .json(bytes: writer.bytes)
    }

    /// Creates a bucket: 200 with no body, or 304 when it exists already.
    @Sendable func create(_ request: APIRequest) async throws -> Response {
        let body = try await request.json()
        let bucket = try Bucket(json: body, idOverride: request.parameters[0])
        var events: [Event] = []
        if let eventsValue = body["events"], !eventsValue.isNull {
            do {
                events = try Event.array(json: eventsValue)
            } catch {
                throw ModelDecodingError(field: "events\(error.field)", reason: error.reason)
            }
        }
        try await api.createBucket(bucket, events: events)
        return .empty(.ok)
    }

    /// Changes any of `type`, `client`, `hostname`, `data`.
    @Sendable func update(_ request: APIRequest) async throws -> Response {
        let body = try await request.json()
        guard case .object(let fields) = body else {
            throw ModelDecodingError(
                field: "", reason: "a bucket update must be a JSON object, got \(body.kindDescription)")
        }
        func text(_ key: String) throws(ModelDecodingError) -> String? {
            guard let value = fields[key], !value.isNull else { return nil }
            guard case .string(let text) = value else { throw .wrongType(key, expected: "a string", got: value) }
            return text
        }
        var data: [String: JSON]?
        if let value = fields["data"], !value.isNull {
            guard case .object(let members) = value else {
                throw ModelDecodingError.wrongType("data", expected: "an object", got: value)
            }
            data = members
        }
        try await api.updateBucket(
            bucketID: request.parameters[0], type: try text("type"), client: try text("client"),
            hostname: try text("hostname"), data: data)
        return .empty(.ok)
    }

    /// Deletes a bucket with its events (`?force=1` is accepted and not needed).
    @Sendable func delete(_ request: APIRequest) async throws -> Response {
        try await api.deleteBucket(bucketID: request.parameters[0])
        return .empty(.ok)
    }
}
