import AWCore
import AWDatastore
import Hummingbird
import NIOCore

/// An HTTP error answer: a status and a message, sent as ActivityWatch's `{"message": "..."}`.
public struct APIError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// What went wrong, for the client.
    public var message: String
    /// Extra response headers (e.g. `Allow` on 405).
    public var headers: HTTPFields
    /// Extra members of the error body besides `message` (e.g. `line` and `column`).
    public var details: [String: JSON]

    public init(
        _ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:], details: [String: JSON] = [:]
    ) {
        self.status = status
        self.message = message
        self.headers = headers
        self.details = details
    }

    public var description: String { "\(status.code) \(message)" }

    /// A 400 answer.
    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }

    /// The answer for any error thrown while handling a request. Client mistakes become 4xx with
    /// a message; storage trouble becomes 503/507; anything else is a 500 whose message carries
    /// no internals.
    init(wrapping error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as DatastoreError:
            self = APIError(error.httpStatus, error.clientMessage)
        case let error as ModelDecodingError:
            self = APIError(.badRequest, "invalid request body: \(error.description)")
        case let error as JSONParseError:
            self = APIError(.badRequest, "request body is not valid JSON: \(error.description)")
        case is NIOTooManyBytesError:
            self = APIError(.contentTooLarge, "request body is too large")
        default:
            self = APIError(.internalServerError, "internal server error")
        }
    }

    /// The response: `{"message": ...}` with this status (no body for 304).
    var response: Response {
        if status == .notModified {
            return Response(status: status, headers: headers)
        }
        var body = details
        body["message"] = .string(message)
        var response = Response.json(.object(body), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension DatastoreError {
    /// The HTTP status a client sees for this error.
    var httpStatus: HTTPResponse.Status {
        switch self {
        case .bucketNotFound, .eventNotFound: return .notFound
        case .bucketAlreadyExists: return .notModified
        case .invalidSettingKey: return .badRequest
        case .storageFull: return HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
        case .readOnly, .databaseLocked, .alreadyInUse, .cannotOpen, .unavailable, .busy: return .serviceUnavailable
        case .notADatabase, .unknownSchema, .storageFailure: return .internalServerError
        }
    }

    /// The message a client sees: what happened and whether anything was written, without the
    /// database's path or SQLite's wording (the server's log has those).
    var clientMessage: String {
        switch self {
        case .bucketNotFound, .bucketAlreadyExists, .eventNotFound, .invalidSettingKey: return description
        case .storageFull: return "the disk holding the database is full; nothing was written"
        case .readOnly: return "the database is read-only; nothing was written"
        case .databaseLocked: return "the database is locked by another program; nothing was written, try again later"
        case .unavailable:
            return "the database server cannot be reached; nothing was read or written, try again later"
        case .busy: return "the database is busy with other writers; nothing was written, try again"
        case .alreadyInUse, .cannotOpen, .notADatabase, .unknownSchema, .storageFailure:
            return "the database could not be used; the server's log says why"
        }
    }
}
