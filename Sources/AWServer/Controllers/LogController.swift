import AWCore
import Hummingbird

/// `GET /api/0/log`: the server's recent log records, newest first (`?limit=N` for fewer);
/// `GET /api/0/notices`: what the user should act on (the dashboard shows these).
struct LogController {
    let api: ServerAPI

    var routes: [Route] {
        [
            Route(.get, "/api/0/log") { request in
                let limit = try request.integerQuery("limit").map { max(0, $0) }
                var writer = JSONWriter(capacity: 64 * 1024)
                writer.writeByte(UInt8(ascii: "["))
                for (index, record) in api.getLog(limit: limit).enumerated() {
                    if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
                    record.write(to: &writer)
                }
                writer.writeByte(UInt8(ascii: "]"))
                return .json(bytes: writer.bytes)
            },
            Route(.get, "/api/0/notices") { _ in
                .json(JSON.array(try await api.notices().map(\.json)))
            },
        ]
    }
}
