import Hummingbird

/// `GET /api/0/info`: hostname, version, testing mode and device id.
struct InfoController {
    let api: ServerAPI

    var routes: [Route] {
        [Route(.get, "/api/0/info") { _ in .json(api.getInfo().json) }]
    }
}
