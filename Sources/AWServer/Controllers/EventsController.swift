import AWCore
import Hummingbird

/// `/api/0/buckets/<id>/events` and `/heartbeat`: read, count, insert and delete events,
/// and record heartbeats.
struct EventsController {
    let api: ServerAPI

    var routes: [Route] {
        [
            Route(.get, "/api/0/buckets/{}/events", list),
            Route(.post, "/api/0/buckets/{}/events", insert),
            Route(.get, "/api/0/buckets/{}/events/count", count),
            Route(.get, "/api/0/buckets/{}/events/{}", get),
            Route(.delete, "/api/0/buckets/{}/events/{}", delete),
            Route(.post, "/api/0/buckets/{}/heartbeat", heartbeat),
        ]
    }

    /// Events overlapping `start`..`end`, clipped, newest first; `limit` < 0 means all.
    @Sendable func list(_ request: APIRequest) async throws -> Response {
        let limit = try request.integerQuery("limit").flatMap { $0 < 0 ? nil : $0 }
        let events = try await api.getEventsJSON(
            bucketID: request.parameters[0],
            limit: limit,
            start: try request.timestampQuery("start"),
            end: try request.timestampQuery("end")
        )
        return .streamedJSON(events)
    }

    /// Stores an array of events (or a single event object); answers with the stored events.
    @Sendable func insert(_ request: APIRequest) async throws -> Response {
        let stored = try await request.storeEncodedEvents(bucketID: request.parameters[0], in: api)
        return .json(bytes: stored.jsonArray)
    }

    /// The number of events overlapping `start`..`end`, as a bare integer.
    @Sendable func count(_ request: APIRequest) async throws -> Response {
        let count = try await api.getEventCount(
            bucketID: request.parameters[0],
            start: try request.timestampQuery("start"),
            end: try request.timestampQuery("end")
        )
        return .json(.int(Int64(count)))
    }

    @Sendable func get(_ request: APIRequest) async throws -> Response {
        let event = try await api.getEvent(bucketID: request.parameters[0], eventID: try Self.eventID(request))
        var writer = JSONWriter()
        event.write(to: &writer)
        return .json(bytes: writer.bytes)
    }

    @Sendable func delete(_ request: APIRequest) async throws -> Response {
        try await api.deleteEvent(bucketID: request.parameters[0], eventID: try Self.eventID(request))
        return .empty(.ok)
    }

    /// Records a heartbeat; `pulsetime` (seconds) is required. Answers with the resulting event.
    @Sendable func heartbeat(_ request: APIRequest) async throws -> Response {
        guard let text = request.query("pulsetime") else {
            throw APIError.badRequest("query parameter 'pulsetime' is required (seconds, e.g. ?pulsetime=2.0)")
        }
        guard let pulsetime = Double(text), pulsetime.isFinite else {
            throw APIError.badRequest("query parameter 'pulsetime' must be a number of seconds, got '\(text)'")
        }
        let event = try await request.event()
        let result = try await api.heartbeat(bucketID: request.parameters[0], event: event, pulsetime: pulsetime)
        var writer = JSONWriter()
        result.write(to: &writer)
        return .json(bytes: writer.bytes)
    }

    static func eventID(_ request: APIRequest) throws(APIError) -> Int64 {
        guard let id = Int64(request.parameters[1]) else {
            throw .badRequest("event id must be an integer, got '\(request.parameters[1])'")
        }
        return id
    }
}
