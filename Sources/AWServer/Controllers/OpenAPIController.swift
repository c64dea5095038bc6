import Hummingbird

/// `GET /api/0/openapi.json`: the OpenAPI 3.1 document of this API (Sources/AWServer/OpenAPI),
/// for REST consumers that generate clients from it.
struct OpenAPIController {
    var routes: [Route] {
        [Route(.get, "/api/0/openapi.json") { _ in .json(bytes: PackageResources.openapi_json) }]
    }
}
