import AWCore
import Logging

/// A built-in query2 function.
struct Builtin: Sendable {
    /// Its name.
    let name: String
    /// How it is called, for diagnostics: `flood(events)`.
    let signature: String
    /// How many arguments it takes.
    let arity: ClosedRange<Int>
    /// What it does.
    let body: @Sendable (Call) async throws(QueryError) -> Value

    init(
        _ name: String, _ signature: String, arity: ClosedRange<Int>,
        _ body: @escaping @Sendable (Call) async throws(QueryError) -> Value
    ) {
        self.name = name
        self.signature = signature
        self.arity = arity
        self.body = body
    }
}

/// One call of a built-in: its arguments with their source locations, and what the function
/// may read.
struct Call: Sendable {
    /// The name the function was called by.
    let name: String
    let builtin: Builtin
    let arguments: [Value]
    /// Where each argument starts.
    let locations: [SourceLocation]
    /// Where the call starts.
    let location: SourceLocation
    /// The value of `TIMEINTERVAL` when the call was made.
    let timeInterval: Value?
    let dataSource: any QueryDataSource
    /// The events the run may still read from `dataSource`.
    let eventBudget: EventBudget
    let logger: Logger

    /// - Throws: `QueryError` when the number of arguments does not fit the function.
    func checkArity() throws(QueryError) {
        guard builtin.arity.contains(arguments.count) else {
            let expected: String
            if builtin.arity.lowerBound == builtin.arity.upperBound {
                expected = "\(builtin.arity.lowerBound) argument\(builtin.arity.lowerBound == 1 ? "" : "s")"
            } else if builtin.arity.upperBound == Int.max {
                expected = "at least \(builtin.arity.lowerBound) argument\(builtin.arity.lowerBound == 1 ? "" : "s")"
            } else {
                expected = "\(builtin.arity.lowerBound) to \(builtin.arity.upperBound) arguments"
            }
            throw QueryError(
                .invalid, "'\(name)' takes \(expected), got \(arguments.count)", at: location,
                hint: "call it as \(builtin.signature)")
        }
    }

    /// An error about argument `index` (or the whole call when there is no such argument).
    func error(_ index: Int, _ message: String, hint: String? = nil) -> QueryError {
        QueryError(.invalid, message, at: index < locations.count ? locations[index] : location, hint: hint)
    }

    private func mismatch(_ index: Int, expected: String) -> QueryError {
        let value = arguments[index]
        return error(
            index,
            "argument \(index + 1) of '\(name)' must be \(expected), got \(value.typeDescription) (\(value.shortDescription))",
            hint: "call it as \(builtin.signature)")
    }

    /// Argument `index` as a list of events.
    func events(_ index: Int) throws(QueryError) -> [Event] {
        switch arguments[index] {
        case .events(let events): return events
        case .list(let values):
            var events: [Event] = []
            events.reserveCapacity(values.count)
            for value in values {
                guard case .event(let event) = value else {
                    throw error(
                        index,
                        "argument \(index + 1) of '\(name)' must be a list of events, but it contains \(value.typeDescription) (\(value.shortDescription))"
                    )
                }
                events.append(event)
            }
            return events
        default:
            throw mismatch(index, expected: "a list of events")
        }
    }

    /// Argument `index` as a string.
    func string(_ index: Int) throws(QueryError) -> String {
        guard case .string(let text) = arguments[index] else { throw mismatch(index, expected: "a string") }
        return text
    }

    /// Argument `index` as a number.
    func number(_ index: Int) throws(QueryError) -> Double {
        guard case .number(let number) = arguments[index] else { throw mismatch(index, expected: "a number") }
        return number
    }

    /// Argument `index` as a list of any values.
    func list(_ index: Int) throws(QueryError) -> [Value] {
        guard let values = arguments[index].listElements else { throw mismatch(index, expected: "a list") }
        return values
    }

    /// Argument `index` as a list of strings.
    func strings(_ index: Int) throws(QueryError) -> [String] {
        var result: [String] = []
        for value in try list(index) {
            guard case .string(let text) = value else {
                throw error(
                    index,
                    "argument \(index + 1) of '\(name)' must be a list of strings, but it contains \(value.typeDescription) (\(value.shortDescription))"
                )
            }
            result.append(text)
        }
        return result
    }

    /// Argument `index` as a JSON value (numbers become floats).
    func json(_ index: Int) throws(QueryError) -> JSON {
        guard let json = arguments[index].json else { throw mismatch(index, expected: "data (not a function)") }
        return json
    }

    /// The current time period, from `TIMEINTERVAL`.
    func period() throws(QueryError) -> TimePeriod {
        guard case .string(let text) = timeInterval else {
            throw QueryError(
                .invalid,
                "TIMEINTERVAL must be a string such as \"2024-01-01T00:00:00Z/2024-01-02T00:00:00Z\", but it is \(timeInterval?.typeDescription ?? "not set")",
                at: location)
        }
        do {
            return try TimePeriod(parsing: text)
        } catch {
            throw QueryError(
                .invalid, "TIMEINTERVAL '\(text)' is not a valid time period: \(error.reason)", at: location)
        }
    }
}
