import AWCore
import Hummingbird
import Logging

/// The HTTP front of aw-server: checks each request (`RequestSecurity`), finds its route,
/// runs the controller, and turns every error into an ActivityWatch-style `{"message": ...}`
/// answer. Holds no logic of its own beyond that.
public struct APIResponder: HTTPResponder {
    public typealias Context = BasicRequestContext

    let routes: [Route]
    let security: RequestSecurity
    let bodyLimit: Int
    let webUI: WebUI
    let logger: Logger

    /// Creates the responder for an API.
    public init(api: ServerAPI, configuration: ServerConfiguration, logger: Logger = Logger(label: "aw.http")) {
        self.routes =
            InfoController(api: api).routes + BucketsController(api: api).routes
            + EventsController(api: api).routes + ExportController(api: api).routes
            + SettingsController(api: api).routes + LogController(api: api).routes
            + QueryController(api: api).routes + OpenAPIController().routes
        self.security = RequestSecurity(configuration: configuration)
        self.bodyLimit = configuration.requestBodyLimit
        self.webUI = WebUI(source: configuration.webUI)
        self.logger = logger
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        var response: Response
        do {
            guard let segments = pathSegments(request.uri.path) else {
                throw APIError.badRequest("the request path is not valid percent-encoded UTF-8")
            }
            try security.check(request, segments: segments)
            if request.method == .options {
                response = security.preflight(request, methods: methods(for: segments))
            } else if segments.first != "api" {
                response = try webUI.response(for: request, segments: segments)
            } else {
                response = try await dispatch(request, segments: segments)
            }
        } catch {
            let failure = APIError(wrapping: error)
            if failure.status.code >= 500 {
                logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            } else {
                logger.debug("\(request.method) \(request.uri.path): \(failure)")
            }
            response = failure.response
        }
        security.decorate(&response, for: request)
        if request.method == .head {
            response.body = ResponseBody()
        }
        return response
    }

    /// The routes a path fits, with their parameters. Where routes overlap, the most literal
    /// ones win: `/buckets/x/events/count` is the count, never the event with id `count`.
    private func matches(_ segments: [String]) -> [(route: Route, parameters: [String])] {
        let all = routes.compactMap { route in route.match(segments).map { (route: route, parameters: $0) } }
        let fewest = all.map(\.parameters.count).min()
        return all.filter { $0.parameters.count == fewest }
    }

    /// The methods a path answers to (HEAD wherever GET works); every web UI path is read-only.
    private func methods(for segments: [String]) -> [String] {
        guard segments.first == "api" else { return ["GET", "HEAD"] }
        return matches(segments).flatMap { $0.route.method == .get ? ["GET", "HEAD"] : [$0.route.method.rawValue] }
    }

    private func dispatch(_ request: Request, segments: [String]) async throws -> Response {
        let method = request.method == .head ? .get : request.method
        let candidates = matches(segments)
        if let match = candidates.first(where: { $0.route.method == method }) {
            return try await match.route.handler(
                APIRequest(request: request, parameters: match.parameters, bodyLimit: bodyLimit))
        }
        let path = "/" + segments.joined(separator: "/")
        if !candidates.isEmpty {
            let names = candidates.map(\.route.method.rawValue).joined(separator: ", ")
            throw APIError(
                .methodNotAllowed, "\(request.method) is not supported on \(path) (use \(names))",
                headers: [.allow: names])
        }
        throw APIError(.notFound, "no such endpoint: \(path)")
    }
}
