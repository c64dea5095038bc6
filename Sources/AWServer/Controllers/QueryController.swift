import AWCore
import AWQuery
import Hummingbird

/// `POST /api/0/query`: runs a query2 program for each requested time period.
struct QueryController {
    let api: ServerAPI

    var routes: [Route] {
        [Route(.post, "/api/0/query", run)]
    }

    /// Body: `{"timeperiods": ["<start>/<end>", ...], "query": ["line", ...]}` (`query` may also be
    /// one string). Answers with one result per period; a query error is a 400 whose message is
    /// a diagnostic, with `line` and `column` of the problem.
    @Sendable func run(_ request: APIRequest) async throws -> Response {
        let body = try await request.json()
        guard case .object(let fields) = body else {
            throw ModelDecodingError(
                field: "", reason: "a query request must be a JSON object, got \(body.kindDescription)")
        }
        guard let periodsValue = fields["timeperiods"] else { throw ModelDecodingError.missing("timeperiods") }
        guard case .array(let periodValues) = periodsValue else {
            throw ModelDecodingError.wrongType(
                "timeperiods", expected: "a list of \"<start>/<end>\" strings", got: periodsValue)
        }
        var periods: [TimePeriod] = []
        for (index, value) in periodValues.enumerated() {
            guard case .string(let text) = value else {
                throw ModelDecodingError.wrongType(
                    "timeperiods[\(index)]", expected: "a \"<start>/<end>\" string", got: value)
            }
            do {
                periods.append(try TimePeriod(parsing: text))
            } catch {
                throw ModelDecodingError(field: "timeperiods[\(index)]", reason: error.reason)
            }
        }
        let lines: [String]
        switch fields["query"] {
        case .string(let text)?:
            lines = [text]
        case .array(let values)?:
            lines = try values.enumerated().map { index, value throws(ModelDecodingError) -> String in
                guard case .string(let line) = value else {
                    throw ModelDecodingError.wrongType("query[\(index)]", expected: "a string", got: value)
                }
                return line
            }
        case let other?:
            throw ModelDecodingError.wrongType("query", expected: "a list of strings", got: other)
        case nil:
            throw ModelDecodingError.missing("query")
        }
        do {
            return .json(bytes: try await api.query2(lines: lines, periods: periods))
        } catch {
            var details: [String: JSON] = [:]
            if let location = error.location {
                details["line"] = .int(Int64(location.line))
                details["column"] = .int(Int64(location.column))
            }
            let status: HTTPResponse.Status =
                switch error.kind {
                case .syntax, .invalid: .badRequest
                case .unavailable: .serviceUnavailable
                case .internal: .internalServerError
                }
            throw APIError(status, error.diagnostic(source: lines.joined(separator: "\n")), details: details)
        }
    }
}
