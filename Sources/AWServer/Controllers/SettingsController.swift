import AWCore
import Hummingbird

/// `/api/0/settings`: the key-value settings the web UI keeps on the server.
struct SettingsController {
    let api: ServerAPI

    var routes: [Route] {
        [
            Route(.get, "/api/0/settings") { _ in .json(.object(try await api.getSettings())) },
            Route(.get, "/api/0/settings/{}") { request in
                .json(try await api.getSetting(key: request.parameters[0]) ?? .null)
            },
            Route(.post, "/api/0/settings/{}") { request in
                try await api.setSetting(key: request.parameters[0], value: try await request.json())
                return .empty(.created)
            },
            Route(.delete, "/api/0/settings/{}") { request in
                try await api.deleteSetting(key: request.parameters[0])
                return .empty(.ok)
            },
        ]
    }
}
