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
                response = security.preflight(request)
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

    private func dispatch(_ request: Request, segments: [String]) async throws -> Response {
        let method = request.method == .head ? .get : request.method
        var allowed: [HTTPRequest.Method] = []
        for route in routes {
            guard let parameters = route.match(segments) else { continue }
            guard route.method == method else {
                allowed.append(route.method)
                continue
            }
            return try await route.handler(APIRequest(request: request, parameters: parameters, bodyLimit: bodyLimit))
        }
        let path = "/" + segments.joined(separator: "/")
        if !allowed.isEmpty {
            let names = allowed.map(\.rawValue).joined(separator: ", ")
            throw APIError(
                .methodNotAllowed, "\(request.method) is not supported on \(path) (use \(names))",
                headers: [.allow: names])
        }
        throw APIError(.notFound, "no such endpoint: \(path)")
    }
}
